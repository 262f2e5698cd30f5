using System.Buffers;
using System.Collections;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Fleetman.ServiceDefaults;

/// <summary>
/// Each event as one line of compact JSON (CLEF, as Seq and Serilog.Formatting.Compact read it) with the rendered
/// message added:
/// <c>{"@t":"2025-01-01T12:00:00.0000000Z","@l":"Information","@mt":"Stored {Count} positions","@m":"Stored 12 positions",
/// "@tr":"4bf9...","@sp":"00f0...","Count":12,"EventId":{"Id":3,"Name":"LogStored"},"SourceContext":"...",
/// "ServiceName":"queue-consumer","RequestPath":"/api/vehicles/"}</c>.
/// <c>@x</c> holds the exception (with its stack trace) when there is one; <c>@tr</c>/<c>@sp</c> are there only inside
/// a trace. After the message's own properties come <c>EventId</c> (when the event has one), <c>SourceContext</c> (the
/// logger's category), <c>ServiceName</c>, the properties of the scopes around the event (ASP.NET Core's
/// <c>RequestPath</c>, <c>RequestId</c>, Kestrel's <c>ConnectionId</c>; a property of the event wins over a scope's of the
/// same name, an inner scope's over an outer one's) and <c>Scope</c>, the scopes that are only text (outermost first).
/// </summary>
/// <remarks>
/// <para>
/// Written by hand with <see cref="Utf8JsonWriter"/>, without reflection, so that a trimmed or ahead-of-time compiled
/// service logs exactly what the JIT-compiled one does. Values are written by their type: numbers and booleans as
/// JSON numbers and booleans, dates in the round-trip format, sequences as arrays, key/value sequences as objects; any
/// other object as its <c>ToString()</c>. A <c>@</c> or <c>$</c> in front of a name in the template is left out of the
/// property's name (nothing is destructured by reflection).
/// </para>
/// <para>
/// <c>@l</c> is on every line, with the CLEF level names the log shipping and the course's Kibana read
/// (<c>Verbose</c>, <c>Debug</c>, <c>Information</c>, <c>Warning</c>, <c>Error</c>, <c>Fatal</c>). <c>@m</c> is rendered
/// from the template with the invariant culture whatever the machine's locale, strings as they are, as
/// Microsoft.Extensions.Logging renders them ("Request starting HTTP/1.1 GET", not "Request starting \"HTTP/1.1\"
/// \"GET\""). Non-ASCII text is written as it is; only what JSON requires is escaped.
/// </para>
/// </remarks>
internal sealed class JsonLogFormat(string serviceName, TimeProvider? clock = null) : ConsoleFormatter(FormatterName)
{
    /// <summary>The name <see cref="ConsoleLoggerOptions.FormatterName"/> selects this format by.</summary>
    public const string FormatterName = "fleetman-json";

    private const string OriginalFormat = "{OriginalFormat}";

    // Nested sequences and objects deeper than this are written as text: a log line is not a serializer.
    private const int MaxDepth = 4;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        if (ServiceRunner.IsHostReportOfInvalidOptions(logEntry.Category, logEntry.Exception))
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteEvent(json, logEntry, scopeProvider);
        }

        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write('\n');
    }

    private void WriteEvent<TState>(Utf8JsonWriter json, in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider)
    {
        var properties = logEntry.State as IEnumerable<KeyValuePair<string, object?>>;
        var template = properties?.FirstOrDefault(p => p.Key == OriginalFormat).Value as string;
        var message = template is null
            ? logEntry.Formatter(logEntry.State, logEntry.Exception) ?? string.Empty
            : Render(template, properties!);

        json.WriteStartObject();
        Span<char> timestamp = stackalloc char[28];
        _clock.GetUtcNow().UtcDateTime.TryFormat(timestamp, out var length, "O", CultureInfo.InvariantCulture);
        json.WriteString("@t", timestamp[..length]);
        json.WriteString("@l", LevelName(logEntry.LogLevel));
        // Without a template (a state that is not a message's values) the message stands for it, its braces escaped.
        json.WriteString("@mt", template ?? message.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal));
        json.WriteString("@m", message);
        if (logEntry.Exception is { } exception)
        {
            json.WriteString("@x", exception.ToString());
        }

        // Taken when the event is written, on the thread that logs it: the ids tie the line to its trace.
        if (Activity.Current is { } activity && activity.TraceId != default)
        {
            json.WriteString("@tr", activity.TraceId.ToHexString());
            json.WriteString("@sp", activity.SpanId.ToHexString());
        }

        var written = new HashSet<string>(StringComparer.Ordinal) { "EventId", "SourceContext", "ServiceName", "Scope" };
        if (properties is not null)
        {
            foreach (var (key, value) in properties)
            {
                var name = PropertyName(key);
                if (key != OriginalFormat && written.Add(name))
                {
                    json.WritePropertyName(name);
                    WriteValue(json, value, 0);
                }
            }
        }

        if (logEntry.EventId.Id != 0 || logEntry.EventId.Name is not null)
        {
            json.WriteStartObject("EventId");
            json.WriteNumber("Id", logEntry.EventId.Id);
            if (logEntry.EventId.Name is { } eventName)
            {
                json.WriteString("Name", eventName);
            }

            json.WriteEndObject();
        }

        json.WriteString("SourceContext", logEntry.Category);
        json.WriteString("ServiceName", serviceName);
        WriteScopes(json, scopeProvider, written);
        json.WriteEndObject();
    }

    private static void WriteScopes(Utf8JsonWriter json, IExternalScopeProvider? scopeProvider, HashSet<string> written)
    {
        if (scopeProvider is null)
        {
            return;
        }

        // Outermost first: an inner scope's property replaces an outer one's of the same name.
        var scopes = new ScopeValues();
        scopeProvider.ForEachScope(static (scope, values) => values.Add(scope), scopes);
        foreach (var (name, value) in scopes.Properties)
        {
            if (written.Add(name))
            {
                json.WritePropertyName(name);
                WriteValue(json, value, 0);
            }
        }

        if (scopes.Texts.Count > 0)
        {
            json.WriteStartArray("Scope");
            foreach (var text in scopes.Texts)
            {
                json.WriteStringValue(text);
            }

            json.WriteEndArray();
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Verbose",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        _ => "Fatal",
    };

    // "{@Position}" and "{$Position}" are Serilog's destructure and stringify hints; the property is "Position".
    private static string PropertyName(string key) => key.Length > 1 && key[0] is '@' or '$' ? key[1..] : key;

    private static void WriteValue(Utf8JsonWriter json, object? value, int depth)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string text:
                json.WriteStringValue(text);
                break;
            case bool flag:
                json.WriteBooleanValue(flag);
                break;
            case int or long or short or byte or sbyte or ushort or uint:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong number:
                json.WriteNumberValue(number);
                break;
            case decimal number:
                json.WriteNumberValue(number);
                break;
            case double number when double.IsFinite(number):
                json.WriteNumberValue(number);
                break;
            case float number when float.IsFinite(number):
                json.WriteNumberValue(number);
                break;
            case DateTime time:
                json.WriteStringValue(time.ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset time:
                json.WriteStringValue(time.ToString("O", CultureInfo.InvariantCulture));
                break;
            case IFormattable formattable:
                json.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs when depth < MaxDepth:
                json.WriteStartObject();
                foreach (var (key, item) in pairs)
                {
                    json.WritePropertyName(key);
                    WriteValue(json, item, depth + 1);
                }

                json.WriteEndObject();
                break;
            case IEnumerable items when depth < MaxDepth:
                json.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(json, item, depth + 1);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(value.ToString());
                break;
        }
    }

    /// <summary>
    /// The message from its template as Microsoft.Extensions.Logging renders it (<c>{Name,alignment:format}</c> holes,
    /// <c>{{</c> and <c>}}</c> for braces, null as <c>(null)</c>, sequences joined with ", "), but always with the
    /// invariant culture.
    /// </summary>
    internal static string Render(string template, IEnumerable<KeyValuePair<string, object?>> values)
    {
        var message = new StringBuilder(template.Length + 32);
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf('{', position);
            var close = template.IndexOf('}', position);
            if (close >= 0 && (open < 0 || close < open))
            {
                // A lone "}" is text; "}}" is one brace.
                message.Append(template, position, close - position + 1);
                position = close + (close + 1 < template.Length && template[close + 1] == '}' ? 2 : 1);
                continue;
            }

            if (open < 0)
            {
                message.Append(template, position, template.Length - position);
                break;
            }

            message.Append(template, position, open - position);
            if (open + 1 < template.Length && template[open + 1] == '{')
            {
                message.Append('{');
                position = open + 2;
                continue;
            }

            var end = template.IndexOf('}', open + 1);
            if (end < 0)
            {
                message.Append(template, open, template.Length - open);
                break;
            }

            AppendHole(message, template.AsSpan(open + 1, end - open - 1), values);
            position = end + 1;
        }

        return message.ToString();
    }

    private static void AppendHole(StringBuilder message, ReadOnlySpan<char> hole, IEnumerable<KeyValuePair<string, object?>> values)
    {
        var formatAt = hole.IndexOf(':');
        var format = formatAt >= 0 ? hole[(formatAt + 1)..].ToString() : null;
        var nameAndAlignment = formatAt >= 0 ? hole[..formatAt] : hole;
        var alignmentAt = nameAndAlignment.IndexOf(',');
        var name = (alignmentAt >= 0 ? nameAndAlignment[..alignmentAt] : nameAndAlignment).Trim().ToString();
        var alignment = alignmentAt >= 0 && int.TryParse(nameAndAlignment[(alignmentAt + 1)..], NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var width)
            ? width
            : 0;

        var found = false;
        object? value = null;
        foreach (var (key, candidate) in values)
        {
            if (key == name)
            {
                (found, value) = (true, candidate);
                break;
            }
        }

        var text = found ? Text(value, format) : "{" + hole.ToString() + "}";
        message.Append(alignment >= 0 ? text.PadLeft(alignment) : text.PadRight(-alignment));
    }

    private static string Text(object? value, string? format) => value switch
    {
        null => "(null)",
        string text => text,
        IFormattable formattable => formattable.ToString(format, CultureInfo.InvariantCulture),
        IEnumerable items => string.Join(", ", items.Cast<object?>().Select(item => Text(item, format))),
        _ => value.ToString() ?? string.Empty,
    };

    private sealed class ScopeValues
    {
        public Dictionary<string, object?> Properties { get; } = new(StringComparer.Ordinal);

        public List<string> Texts { get; } = [];

        public void Add(object? scope)
        {
            switch (scope)
            {
                case null:
                    break;
                case IEnumerable<KeyValuePair<string, object?>> pairs:
                    foreach (var (key, value) in pairs)
                    {
                        if (key == OriginalFormat)
                        {
                            // A scope begun with a message template ("Processing {Batch}") is also kept as its text.
                            Texts.Add(scope.ToString() ?? string.Empty);
                        }
                        else
                        {
                            Properties[PropertyName(key)] = value;
                        }
                    }

                    break;
                case ValueTuple<string, object?>(var key, var value):
                    Properties[PropertyName(key)] = value;
                    break;
                default:
                    Texts.Add(scope.ToString() ?? string.Empty);
                    break;
            }
        }
    }
}
