using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace Fleetman.ServiceDefaults;

/// <summary>
/// Writes each event as one line of compact JSON (CLEF, as Serilog.Formatting.Compact and Seq read it) with the
/// rendered message added:
/// <c>{"@t":"2025-01-01T12:00:00.0000000Z","@l":"Information","@mt":"Stored {Count} positions","@m":"Stored 12 positions",
/// "@tr":"4bf9...","@sp":"00f0...","Count":12,"SourceContext":"...","ServiceName":"queue-consumer"}</c>.
/// <c>@x</c> holds the exception (with its stack trace) when there is one.
/// Serilog.Formatting.Compact's own formatters do not write this line: both leave <c>@l</c> out at Information, and
/// they write either the template without the rendered message or the message (every string quoted) without the
/// template; the log shipping and the course's Kibana read <c>@l</c> and <c>@m</c> on every line.
/// </summary>
internal sealed class JsonLogSink(TextWriter? output) : ILogEventSink
{
    private static readonly JsonValueFormatter ValueFormatter = new(typeTagName: "$type");
    private readonly Lock _writeLock = new();

    public void Emit(LogEvent logEvent)
    {
        // Format first and write the whole line at once, so concurrent writers never interleave inside a line.
        var line = new StringWriter(CultureInfo.InvariantCulture);
        Format(logEvent, line);
        line.Write('\n');

        // Console.Out is read per event (not captured once), like Serilog's console sink does.
        var writer = output ?? Console.Out;
        lock (_writeLock)
        {
            writer.Write(line.ToString());
            writer.Flush();
        }
    }

    private static void Format(LogEvent logEvent, TextWriter output)
    {
        output.Write("{\"@t\":\"");
        output.Write(logEvent.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        output.Write("\",\"@l\":\"");
        output.Write(logEvent.Level.ToString());
        output.Write("\",\"@mt\":");
        JsonValueFormatter.WriteQuotedJsonString(logEvent.MessageTemplate.Text, output);
        output.Write(",\"@m\":");
        JsonValueFormatter.WriteQuotedJsonString(RenderMessage(logEvent), output);

        if (logEvent.Exception is not null)
        {
            output.Write(",\"@x\":");
            JsonValueFormatter.WriteQuotedJsonString(logEvent.Exception.ToString(), output);
        }

        // Serilog takes these from Activity.Current when the event is created: they tie the line to its trace.
        if (logEvent.TraceId is { } traceId)
        {
            output.Write(",\"@tr\":\"");
            output.Write(traceId.ToHexString());
            output.Write('"');
        }

        if (logEvent.SpanId is { } spanId)
        {
            output.Write(",\"@sp\":\"");
            output.Write(spanId.ToHexString());
            output.Write('"');
        }

        foreach (var (name, value) in logEvent.Properties)
        {
            output.Write(',');
            // CLEF reserves names that start with '@'; a property's own '@' is doubled.
            JsonValueFormatter.WriteQuotedJsonString(name.StartsWith('@') ? "@" + name : name, output);
            output.Write(':');
            ValueFormatter.Format(value, output);
        }

        output.Write('}');
    }

    // Like LogEvent.RenderMessage, but strings are written as they are, as Microsoft.Extensions.Logging renders them:
    // "Request starting HTTP/1.1 GET", not "Request starting \"HTTP/1.1\" \"GET\"".
    private static string RenderMessage(LogEvent logEvent)
    {
        var message = new StringWriter(CultureInfo.InvariantCulture);
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is PropertyToken property
                && logEvent.Properties.TryGetValue(property.PropertyName, out var value)
                && value is ScalarValue { Value: string text })
            {
                message.Write(text);
            }
            else
            {
                token.Render(logEvent.Properties, message, CultureInfo.InvariantCulture);
            }
        }

        return message.ToString();
    }
}
