using System.Buffers;

namespace Fleetman.Messaging.Tests.Unit;

public class StompFrameParserTests
{
    private readonly StompFrameParser _parser = new();

    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    private List<StompFrame> ParseAll(ReadOnlySequence<byte> buffer)
    {
        var frames = new List<StompFrame>();
        while (_parser.TryParse(ref buffer, out var frame))
        {
            frames.Add(frame!);
        }

        buffer.Length.ShouldBe(0, "every byte of complete input is consumed");
        return frames;
    }

    [Fact]
    public void Parses_a_message_with_headers_and_a_nul_terminated_body()
    {
        var frames = ParseAll(Bytes("MESSAGE\nsubscription:sub-1\nmessage-id:ID:1\ndestination:/queue/a\n\nhello\0"));

        var frame = frames.ShouldHaveSingleItem();
        frame.Command.ShouldBe("MESSAGE");
        frame["subscription"].ShouldBe("sub-1");
        frame["message-id"].ShouldBe("ID:1");
        frame.BodyText.ShouldBe("hello");
    }

    [Fact]
    public void Content_length_body_may_contain_nul_bytes()
    {
        var body = new byte[] { 1, 0, 2, 0, 0, 3 };
        var head = Encoding.UTF8.GetBytes("MESSAGE\ncontent-length:6\n\n");
        var wire = head.Concat(body).Append((byte)0).ToArray();

        var frame = ParseAll(new ReadOnlySequence<byte>(wire)).ShouldHaveSingleItem();

        frame.Body.ToArray().ShouldBe(body);
    }

    [Fact]
    public void Heartbeat_eols_between_frames_are_skipped()
    {
        var frames = ParseAll(Bytes("\n\r\n\nRECEIPT\nreceipt-id:r-1\n\n\0\n\n\r\nRECEIPT\nreceipt-id:r-2\n\n\0\n"));

        frames.Select(f => f["receipt-id"]).ShouldBe(["r-1", "r-2"]);
    }

    [Fact]
    public void Crlf_line_endings_are_accepted()
    {
        var frame = ParseAll(Bytes("MESSAGE\r\nmessage-id:7\r\n\r\nbody\0")).ShouldHaveSingleItem();

        frame["message-id"].ShouldBe("7");
        frame.BodyText.ShouldBe("body");
    }

    [Fact]
    public void Header_escapes_are_decoded_outside_connect_frames()
    {
        var frame = ParseAll(Bytes("MESSAGE\nack:ID\\chost-1\\c1\nodd\\cname:a\\\\b\\nc\\rd\n\n\0")).ShouldHaveSingleItem();

        frame["ack"].ShouldBe("ID:host-1:1");
        frame["odd:name"].ShouldBe("a\\b\nc\rd");
    }

    [Fact]
    public void Connected_frames_are_not_unescaped()
    {
        var frame = ParseAll(Bytes("CONNECTED\nversion:1.2\nserver:ActiveMQ/5.17\\c2\n\n\0")).ShouldHaveSingleItem();

        frame["server"].ShouldBe("ActiveMQ/5.17\\c2");
    }

    [Fact]
    public void The_first_of_repeated_headers_wins()
    {
        var frame = ParseAll(Bytes("MESSAGE\nfoo:first\nfoo:second\n\n\0")).ShouldHaveSingleItem();

        frame["foo"].ShouldBe("first");
        frame.Headers.Count.ShouldBe(2);
    }

    [Fact]
    public void Header_names_close_to_the_common_ones_are_read_as_sent()
    {
        // The parser hands out the common names (destination, ack, id, ...) without decoding them again: names that
        // share their start, their end or their letters must still come out exactly as they were sent.
        var frame = ParseAll(Bytes("MESSAGE\ndestinationx:1\nac:2\nids:3\nack:4\nAck:5\nmessage-i:6\n\n\0")).ShouldHaveSingleItem();

        frame.Headers.Select(h => h.Key).ShouldBe(["destinationx", "ac", "ids", "ack", "Ack", "message-i"]);
        frame.Headers.Select(h => h.Value).ShouldBe(["1", "2", "3", "4", "5", "6"]);
    }

    [Fact]
    public void A_frame_split_at_every_byte_is_parsed_once_complete()
    {
        var wire = Encoding.UTF8.GetBytes("\nMESSAGE\ncontent-length:3\nx:y\n\na\0b\0");
        var frames = new List<StompFrame>();
        var pending = new List<byte>();
        foreach (var b in wire)
        {
            pending.Add(b);
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            if (_parser.TryParse(ref buffer, out var frame))
            {
                frames.Add(frame!);
            }

            pending = [.. buffer.ToArray()];
        }

        var parsed = frames.ShouldHaveSingleItem();
        parsed.Body.ToArray().ShouldBe("a\0b"u8.ToArray());
        parsed["x"].ShouldBe("y");
        pending.ShouldBeEmpty();
    }

    [Fact]
    public void A_frame_spanning_several_buffer_segments_is_parsed()
    {
        var wire = Encoding.UTF8.GetBytes("MESSAGE\nmessage-id:42\n\nsegmented body\0");
        var sequence = Segments.Of(wire, chunkSize: 5);

        var frame = ParseAll(sequence).ShouldHaveSingleItem();

        frame["message-id"].ShouldBe("42");
        frame.BodyText.ShouldBe("segmented body");
    }

    [Fact]
    public void An_incomplete_frame_leaves_the_buffer_untouched()
    {
        var buffer = Bytes("MESSAGE\ncontent-length:10\n\nshort");
        var before = buffer.Length;

        _parser.TryParse(ref buffer, out var frame).ShouldBeFalse();

        frame.ShouldBeNull();
        buffer.Length.ShouldBe(before);
    }

    [Theory]
    [InlineData("BOGUS\n\n\0", "unknown command 'BOGUS'")]
    [InlineData("MESSAGE\nno-colon-here\n\n\0", "header line without ':'")]
    [InlineData("MESSAGE\n:value\n\n\0", "header with an empty name")]
    [InlineData("MESSAGE\nbad:esc\\t\n\n\0", "undefined escape sequence '\\t'")]
    [InlineData("MESSAGE\nbad:trailing\\\n\n\0", "lone backslash")]
    [InlineData("MESSAGE\ncontent-length:abc\n\n\0", "invalid content-length 'abc'")]
    [InlineData("MESSAGE\ncontent-length:-1\n\n\0", "invalid content-length '-1'")]
    [InlineData("MESSAGE\ncontent-length:2\n\nabc\0", "not followed by NUL")]
    [InlineData("\rMESSAGE\n\n\0", "CR not followed by LF")]
    public void Malformed_frames_are_answered_with_a_clear_error(string wire, string expected)
    {
        var buffer = Bytes(wire);

        var error = Should.Throw<StompProtocolException>(() => _parser.TryParse(ref buffer, out _));

        error.Message.ShouldStartWith("Malformed STOMP frame");
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void Oversized_lines_and_bodies_are_refused_instead_of_buffered_forever()
    {
        var parser = new StompFrameParser(new StompParserLimits(MaxLineBytes: 16, MaxHeaders: 2, MaxBodyBytes: 8));

        var longLine = Bytes("MESSAGE\n" + new string('x', 40));
        Should.Throw<StompProtocolException>(() => parser.TryParse(ref longLine, out _)).Message.ShouldContain("exceeds 16 bytes");

        var tooMany = Bytes("MESSAGE\na:1\nb:2\nc:3\n\n\0");
        Should.Throw<StompProtocolException>(() => parser.TryParse(ref tooMany, out _)).Message.ShouldContain("more than 2 headers");

        var bigBody = Bytes("MESSAGE\ncontent-length:9\n\n123456789\0");
        Should.Throw<StompProtocolException>(() => parser.TryParse(ref bigBody, out _)).Message.ShouldContain("exceeds the limit of 8 bytes");

        var endless = Bytes("MESSAGE\n\n" + new string('y', 20));
        Should.Throw<StompProtocolException>(() => parser.TryParse(ref endless, out _)).Message.ShouldContain("without a NUL terminator");
    }
}

/// <summary>Builds a multi-segment sequence, as a PipeReader hands out after several socket reads.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Of(byte[] data, int chunkSize)
    {
        var first = new Segments(data.AsMemory(0, Math.Min(chunkSize, data.Length)), 0);
        var last = first;
        for (var offset = chunkSize; offset < data.Length; offset += chunkSize)
        {
            var next = new Segments(data.AsMemory(offset, Math.Min(chunkSize, data.Length - offset)), offset);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
