using System.Buffers;

namespace Fleetman.Messaging.Stomp;

/// <summary>
/// Incremental STOMP 1.2 frame parser over a byte sequence (as handed out by a PipeReader).
/// Handles heart-beat EOLs between frames, CR-LF or LF line endings, header escaping
/// (except in CONNECT/CONNECTED, as the spec says), content-length bodies that contain NUL bytes,
/// and NUL-terminated bodies without content-length. Malformed input throws <see cref="StompProtocolException"/>.
/// </summary>
internal sealed class StompFrameParser(StompParserLimits? limits = null)
{
    private const byte Nul = 0, Lf = (byte)'\n', Cr = (byte)'\r';

    // The commands and header names every frame repeats (an ActiveMQ MESSAGE has a dozen headers), returned as these
    // strings instead of decoded anew per frame: with the writer's escaping, a tenth of the queue-consumer's allocations
    // at 1,000 messages a second (docs/performance.md, "What the queue-consumer's memory is"). None holds a character
    // that STOMP escapes, so unescaping one changes nothing.
    private static readonly string[] KnownCommands =
    [
        StompCommands.Message, StompCommands.Receipt, StompCommands.Connected, StompCommands.Error,
        StompCommands.Send, StompCommands.Ack, StompCommands.Nack, StompCommands.Subscribe,
    ];

    private static readonly string[] KnownHeaderNames =
    [
        "destination", "message-id", "subscription", "ack", "content-length", "content-type", "expires", "priority",
        "timestamp", "persistent", "redelivered", "type", "traceparent", "tracestate", "receipt-id", "receipt",
        "correlation-id", "reply-to", "id", "transaction", "version", "heart-beat", "server", "session", "message",
    ];

    private static readonly byte[][] KnownCommandBytes = [.. KnownCommands.Select(Encoding.UTF8.GetBytes)];
    private static readonly byte[][] KnownHeaderNameBytes = [.. KnownHeaderNames.Select(Encoding.UTF8.GetBytes)];

    private readonly StompParserLimits _limits = limits ?? StompParserLimits.Default;

    /// <summary>
    /// Tries to read one frame from the start of <paramref name="buffer"/>. Heart-beat EOLs before the frame
    /// are consumed even when no complete frame follows. On success the buffer is advanced past the frame.
    /// </summary>
    public bool TryParse(ref ReadOnlySequence<byte> buffer, out StompFrame? frame)
    {
        frame = null;
        var reader = new SequenceReader<byte>(buffer);

        // Heart-beats are bare EOLs between frames.
        while (reader.TryPeek(out var b) && (b == Lf || b == Cr))
        {
            if (b == Cr)
            {
                if (!reader.TryPeek(1, out var next))
                {
                    break; // wait for the LF that should follow
                }

                if (next != Lf)
                {
                    throw new StompProtocolException("Malformed STOMP frame: CR not followed by LF between frames");
                }

                reader.Advance(2);
            }
            else
            {
                reader.Advance(1);
            }
        }

        buffer = buffer.Slice(reader.Position);
        if (reader.End)
        {
            return false;
        }

        if (!TryReadLine(ref reader, out var commandLine))
        {
            return false;
        }

        var command = DecodeKnown(commandLine, KnownCommands, KnownCommandBytes);
        if (!IsKnownCommand(command))
        {
            throw new StompProtocolException($"Malformed STOMP frame: unknown command '{Truncate(command)}'");
        }

        // CONNECT and CONNECTED predate escaping in the spec and are sent unescaped.
        var unescape = command is not (StompCommands.Connect or StompCommands.Connected or StompCommands.Stomp);
        // Room for an ActiveMQ MESSAGE's headers without growing the list twice on the way.
        var headers = new List<KeyValuePair<string, string>>(16);
        while (true)
        {
            if (!TryReadLine(ref reader, out var line))
            {
                return false;
            }

            if (line.IsEmpty)
            {
                break;
            }

            if (headers.Count == _limits.MaxHeaders)
            {
                throw new StompProtocolException($"Malformed STOMP frame: more than {_limits.MaxHeaders} headers in a {command} frame");
            }

            headers.Add(ParseHeader(line, unescape));
        }

        var contentLength = ContentLength(headers, command);
        ReadOnlyMemory<byte> body;
        if (contentLength is int length)
        {
            if (reader.Remaining < length + 1)
            {
                return false;
            }

            body = reader.UnreadSequence.Slice(0, length).ToArray();
            reader.Advance(length);
            if (!reader.TryRead(out var terminator) || terminator != Nul)
            {
                throw new StompProtocolException($"Malformed STOMP frame: {command} body is not followed by NUL after content-length {length} bytes");
            }
        }
        else
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> raw, Nul, advancePastDelimiter: true))
            {
                if (reader.Remaining > _limits.MaxBodyBytes)
                {
                    throw new StompProtocolException($"Malformed STOMP frame: {command} body exceeds {_limits.MaxBodyBytes} bytes without a NUL terminator");
                }

                return false;
            }

            body = raw.ToArray();
        }

        buffer = buffer.Slice(reader.Position);
        frame = new StompFrame(command, headers, body);
        return true;
    }

    private bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySpan<byte> line)
    {
        if (!reader.TryReadTo(out ReadOnlySequence<byte> sequence, Lf))
        {
            if (reader.Remaining > _limits.MaxLineBytes)
            {
                throw new StompProtocolException($"Malformed STOMP frame: a command or header line exceeds {_limits.MaxLineBytes} bytes");
            }

            line = default;
            return false;
        }

        if (sequence.Length > _limits.MaxLineBytes)
        {
            throw new StompProtocolException($"Malformed STOMP frame: a command or header line exceeds {_limits.MaxLineBytes} bytes");
        }

        var span = sequence.IsSingleSegment ? sequence.FirstSpan : sequence.ToArray();
        if (!span.IsEmpty && span[^1] == Cr)
        {
            span = span[..^1];
        }

        if (span.IndexOf(Nul) >= 0)
        {
            throw new StompProtocolException("Malformed STOMP frame: NUL byte inside a command or header line");
        }

        line = span;
        return true;
    }

    private static KeyValuePair<string, string> ParseHeader(ReadOnlySpan<byte> line, bool unescape)
    {
        var colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            throw new StompProtocolException($"Malformed STOMP frame: header line without ':' ('{Truncate(Decode(line))}')");
        }

        if (colon == 0)
        {
            throw new StompProtocolException("Malformed STOMP frame: header with an empty name");
        }

        var name = DecodeKnown(line[..colon], KnownHeaderNames, KnownHeaderNameBytes);
        var value = Decode(line[(colon + 1)..]);
        return unescape ? new(Unescape(name), Unescape(value)) : new(name, value);
    }

    private int? ContentLength(List<KeyValuePair<string, string>> headers, string command)
    {
        foreach (var header in headers)
        {
            if (header.Key != "content-length")
            {
                continue;
            }

            if (!int.TryParse(header.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length))
            {
                throw new StompProtocolException($"Malformed STOMP frame: {command} has an invalid content-length '{Truncate(header.Value)}'");
            }

            if (length > _limits.MaxBodyBytes)
            {
                throw new StompProtocolException($"Malformed STOMP frame: {command} content-length {length} exceeds the limit of {_limits.MaxBodyBytes} bytes");
            }

            return length; // the first occurrence wins
        }

        return null;
    }

    internal static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c != '\\')
            {
                result.Append(c);
                continue;
            }

            if (++i == value.Length)
            {
                throw new StompProtocolException("Malformed STOMP frame: header ends with a lone backslash");
            }

            result.Append(value[i] switch
            {
                'r' => '\r',
                'n' => '\n',
                'c' => ':',
                '\\' => '\\',
                var other => throw new StompProtocolException($"Malformed STOMP frame: undefined escape sequence '\\{other}' in a header"),
            });
        }

        return result.ToString();
    }

    private static bool IsKnownCommand(string command) => command is
        StompCommands.Connected or StompCommands.Message or StompCommands.Receipt or StompCommands.Error or
        StompCommands.Connect or StompCommands.Stomp or StompCommands.Send or StompCommands.Subscribe or
        StompCommands.Unsubscribe or StompCommands.Ack or StompCommands.Nack or StompCommands.Disconnect or
        "BEGIN" or "COMMIT" or "ABORT";

    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private static string DecodeKnown(ReadOnlySpan<byte> bytes, string[] known, byte[][] knownBytes)
    {
        for (var i = 0; i < knownBytes.Length; i++)
        {
            if (bytes.SequenceEqual(knownBytes[i]))
            {
                return known[i];
            }
        }

        return Decode(bytes);
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}

/// <summary>Bounds that protect a connection from a peer sending endless lines or bodies.</summary>
internal sealed record StompParserLimits(int MaxLineBytes = 64 * 1024, int MaxHeaders = 256, int MaxBodyBytes = 16 * 1024 * 1024)
{
    public static StompParserLimits Default { get; } = new();
}
