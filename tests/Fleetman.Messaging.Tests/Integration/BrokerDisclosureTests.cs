using System.Net.Sockets;

namespace Fleetman.Messaging.Tests.Integration;

/// <summary>What the real broker, configured as the project ships it, tells a stranger who has not logged in.</summary>
[Collection(SharedBrokerTests.Name)]
public sealed class BrokerDisclosureTests(SharedBrokerFixture fixture)
{
    [Fact]
    public async Task Openwire_does_not_advertise_stack_traces()
    {
        var port = int.Parse(Environment.GetEnvironmentVariable("FLEETMAN_OPENWIRE_PORT") is { Length: > 0 } configured ? configured : "61616", CultureInfo.InvariantCulture);
        var host = (await fixture.Broker.OptionsAsync()).Host;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port);
        // The broker speaks first: its WireFormatInfo, whose property map holds StackTraceEnabled as a boolean.
        var info = await ReadAsync(tcp.GetStream(), until: bytes => Find(bytes, "StackTraceEnabled") is var at && at >= 0 && bytes.Count > at + 19);
        var key = Find(info, "StackTraceEnabled");
        key.ShouldBeGreaterThan(0, "the broker's WireFormatInfo names StackTraceEnabled");
        const byte booleanType = 1;
        info[key + "StackTraceEnabled".Length].ShouldBe(booleanType);
        info[key + "StackTraceEnabled".Length + 1].ShouldBe((byte)0, "StackTraceEnabled=false");
    }

    [Fact]
    public async Task A_wrong_stomp_login_is_told_why_without_a_stack_trace()
    {
        var error = await StompAsync("CONNECT\naccept-version:1.2\nhost:fleetman\nlogin:stranger\npasscode:guess\n\n\0");
        error.ShouldStartWith("ERROR");
        error.ShouldContain("invalid");
        error.ShouldNotContain("at org.apache");
    }

    /// <summary>
    /// ActiveMQ has no setting that keeps stack traces out of STOMP ERROR frames for protocol errors (a command before
    /// CONNECT, an unknown command): this pins that behaviour, which docs/security.md documents with who can reach the
    /// port. If a broker release adds the setting, this test fails and the configuration should use it.
    /// </summary>
    [Fact]
    public async Task A_stomp_protocol_error_before_login_still_carries_the_brokers_stack_trace()
    {
        var error = await StompAsync("SEND\ndestination:/queue/nobody\n\nhello\0");
        error.ShouldStartWith("ERROR");
        error.ShouldContain("Not connected");
        error.ShouldContain("at org.apache");
    }

    private async Task<string> StompAsync(string frame)
    {
        var options = await fixture.Broker.OptionsAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(options.Host, options.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(frame));
        return Encoding.UTF8.GetString([.. await ReadAsync(stream, until: bytes => bytes.Contains((byte)0))]);
    }

    private static async Task<List<byte>> ReadAsync(NetworkStream stream, Func<List<byte>, bool> until)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var received = new List<byte>();
        var buffer = new byte[8192];
        while (!until(received))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        return received;
    }

    private static int Find(List<byte> bytes, string text)
    {
        var pattern = Encoding.ASCII.GetBytes(text);
        return bytes.ToArray().AsSpan().IndexOf(pattern);
    }
}
