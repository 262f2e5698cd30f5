using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Fleetman.ServiceDefaults;

/// <summary>
/// Writes each event, in the format the console gets, to a writer the caller gives instead of standard output (the
/// tests' in-memory capture). Each line is written and flushed as it is logged, under a lock, so concurrent writers
/// never interleave inside a line and nothing waits in a queue when the host stops.
/// </summary>
internal sealed class TextWriterLoggerProvider(ConsoleFormatter format, TextWriter output) : ILoggerProvider, ISupportExternalScope
{
    private readonly Lock _writeLock = new();
    private IExternalScopeProvider? _scopes;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private void Write<TState>(in LogEntry<TState> entry)
    {
        // Formatted first, written whole.
        using var line = new StringWriter(CultureInfo.InvariantCulture);
        format.Write(entry, _scopes, line);
        if (line.GetStringBuilder().Length == 0)
        {
            return;
        }

        lock (_writeLock)
        {
            output.Write(line.ToString());
            output.Flush();
        }
    }

    private sealed class Logger(TextWriterLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes?.Push(state);

        // The logger factory applies the Logging:LogLevel rules before it calls this provider.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter));
            }
        }
    }
}
