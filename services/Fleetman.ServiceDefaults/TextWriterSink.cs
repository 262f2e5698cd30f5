using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Fleetman.ServiceDefaults;

/// <summary>
/// Writes each formatted event to a writer the caller gives instead of standard output (the tests' in-memory
/// capture). Serilog 4 has no TextWriter sink of its own, and the console sink only writes to <see cref="Console"/>.
/// </summary>
internal sealed class TextWriterSink(ITextFormatter formatter, TextWriter output) : ILogEventSink
{
    private readonly Lock _writeLock = new();

    public void Emit(LogEvent logEvent)
    {
        // Format first and write the whole line at once, as the console sink does, so concurrent writers never
        // interleave inside a line.
        var line = new StringWriter(CultureInfo.InvariantCulture);
        formatter.Format(logEvent, line);
        lock (_writeLock)
        {
            output.Write(line.ToString());
            output.Flush();
        }
    }
}
