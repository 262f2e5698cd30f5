using System.Buffers;

namespace Fleetman.Messaging.Stomp;

/// <summary>
/// Serialises frames to the STOMP 1.2 wire format, escaping headers and writing content-length, except on a SEND
/// that asks ActiveMQ for a transformation (see <see cref="JmsMapJson"/>).
/// </summary>
internal static class StompFrameWriter
{
    public static void Write(StompFrame frame, IBufferWriter<byte> output)
    {
        var escape = frame.Command is not (StompCommands.Connect or StompCommands.Stomp or StompCommands.Connected);
        WriteText(output, frame.Command);
        WriteText(output, "\n");
        foreach (var (name, value) in frame.Headers)
        {
            if (name == "content-length")
            {
                continue; // always computed from the body below
            }

            WriteText(output, escape ? Escape(name) : name);
            WriteText(output, ":");
            WriteText(output, escape ? Escape(value) : value);
            WriteText(output, "\n");
        }

        // content-length lets bodies carry NUL bytes and spares the broker a scan for the terminator. ActiveMQ, though,
        // stores any SEND with a content-length as bytes and ignores its transformation: such a body is JSON text,
        // which has no NUL byte, and goes without.
        var transformed = frame.Command == StompCommands.Send && frame[JmsMapJson.TransformationHeader] is not null;
        if (!transformed && (frame.Body.Length > 0 || frame.Command is StompCommands.Send or StompCommands.Message))
        {
            WriteText(output, "content-length:");
            WriteText(output, frame.Body.Length.ToString(CultureInfo.InvariantCulture));
            WriteText(output, "\n");
        }

        WriteText(output, "\n");
        output.Write(frame.Body.Span);
        output.Write([(byte)0]);
    }

    public static byte[] ToBytes(StompFrame frame)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + frame.Body.Length);
        Write(frame, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    internal static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny("\\\r\n:") < 0)
        {
            return value;
        }

        // Every ACK's id has colons (ActiveMQ's message ids): one builder per header, never a string per character.
        var result = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': result.Append("\\\\"); break;
                case '\r': result.Append("\\r"); break;
                case '\n': result.Append("\\n"); break;
                case ':': result.Append("\\c"); break;
                default: result.Append(c); break;
            }
        }

        return result.ToString();
    }

    private static void WriteText(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        var written = Encoding.UTF8.GetBytes(text, span);
        output.Advance(written);
    }
}
