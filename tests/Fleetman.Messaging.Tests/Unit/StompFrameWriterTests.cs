using System.Buffers;

namespace Fleetman.Messaging.Tests.Unit;

public class StompFrameWriterTests
{
    [Fact]
    public void Writes_escaped_headers_content_length_and_terminator()
    {
        var frame = new StompFrame("SEND", [new("destination", "/queue/a"), new("x:y", "line1\nline2\\")], "hi"u8.ToArray());

        var wire = Encoding.UTF8.GetString(StompFrameWriter.ToBytes(frame));

        wire.ShouldBe("SEND\ndestination:/queue/a\nx\\cy:line1\\nline2\\\\\ncontent-length:2\n\nhi\0");
    }

    [Fact]
    public void Connect_frames_are_written_unescaped()
    {
        var frame = new StompFrame("CONNECT", [new("passcode", "a:b")]);

        Encoding.UTF8.GetString(StompFrameWriter.ToBytes(frame)).ShouldBe("CONNECT\npasscode:a:b\n\n\0");
    }

    [Fact]
    public void An_ack_id_with_colons_round_trips_byte_for_byte()
    {
        // ActiveMQ's ack ids contain colons that arrive escaped as \c; what goes back must match what came in.
        const string wireAck = "ID\\cbox-40127-1\\c1\\c1\\c1\\c1";
        var incoming = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes($"MESSAGE\nack:{wireAck}\n\n\0"));
        new StompFrameParser().TryParse(ref incoming, out var message).ShouldBeTrue();

        var ack = Encoding.UTF8.GetString(StompFrameWriter.ToBytes(new StompFrame("ACK", [new("id", message!["ack"]!)])));

        ack.ShouldBe($"ACK\nid:{wireAck}\n\n\0");
    }

    [Fact]
    public void Written_frames_parse_back_to_the_same_frame()
    {
        var body = new byte[] { 0, 1, 2, 0 };
        var original = new StompFrame("MESSAGE", [new("a", "1:2"), new("b", "\\r\n")], body);
        var buffer = new ReadOnlySequence<byte>(StompFrameWriter.ToBytes(original));

        new StompFrameParser().TryParse(ref buffer, out var parsed).ShouldBeTrue();

        parsed!["a"].ShouldBe("1:2");
        parsed["b"].ShouldBe("\\r\n");
        parsed.Body.ToArray().ShouldBe(body);
    }
}
