using System.Globalization;
using Serilog.Templates;

namespace Fleetman.ServiceDefaults;

/// <summary>
/// Each event as one line of compact JSON (CLEF, as Seq and Serilog.Formatting.Compact read it) with the rendered
/// message added:
/// <c>{"@t":"2025-01-01T12:00:00.0000000Z","@l":"Information","@mt":"Stored {Count} positions","@m":"Stored 12 positions",
/// "@tr":"4bf9...","@sp":"00f0...","Count":12,"SourceContext":"...","ServiceName":"queue-consumer"}</c>.
/// <c>@x</c> holds the exception (with its stack trace) when there is one.
/// </summary>
/// <remarks>
/// A Serilog.Expressions template, not one of Serilog.Formatting.Compact's formatters: those leave <c>@l</c> out at
/// Information, and write either the template without the rendered message or the message (every string quoted)
/// without the template; the log shipping and the course's Kibana read <c>@l</c> and <c>@m</c> on every line.
/// In <c>@m</c> the template writes strings as they are, as Microsoft.Extensions.Logging renders them
/// ("Request starting HTTP/1.1 GET", not "Request starting \"HTTP/1.1\" \"GET\""); members that are undefined
/// (<c>@x</c> without an exception, <c>@tr</c>/<c>@sp</c> outside a trace) are left out of the line.
/// </remarks>
internal static class JsonLogFormat
{
    // Serilog takes @tr and @sp from Activity.Current when the event is created: they tie the line to its trace.
    // The invariant culture keeps numbers in @m the same whatever the machine's locale.
    public static ExpressionTemplate Create() => new(
        "{ {@t: UtcDateTime(@t), @l, @mt, @m, @x, @tr, @sp, ..@p} }\n",
        formatProvider: CultureInfo.InvariantCulture);
}
