using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleetman.Messaging.Tests.Integration;

// Not in the shared-broker collection: some of these tests start, stop and kill private brokers of their own, which
// takes seconds each; in a collection of their own they run beside the shared-broker tests instead of after them.
// The other tests here use only queues of their own on the shared broker.
public sealed class ResilienceTests(SharedBrokerFixture fixture) : IClassFixture<SharedBrokerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Broker_stopped_and_started_mid_stream_publisher_and_consumer_recover_and_nothing_is_lost()
    {
        const int count = 3_000;
        await using var broker = await BrokerInstance.StartPrivateAsync();
        var queue = Destination.Queue(Eventually.UniqueQueue("restart"));
        await using var publishing = await broker.ConnectClientAsync();
        await using var consuming = await broker.ConnectClientAsync();
        // Mid-stream by construction, not by timing: the publisher pauses after a third of the messages and the handler
        // after a sixth until the broker is down. Left to race on a loaded machine, both had finished before the stop
        // reached the broker (all 3,000 handled when the connection closed), and the outage tested nothing.
        var brokerDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new DeliveryLog();
        await using var consumer = new MessageConsumer<TestMessage>(consuming, queue, new ConsumerOptions { Prefetch = 200 }, 50, async (batch, token) =>
        {
            if (log.Unique >= count / 6)
            {
                // This batch and the prefetched messages stay unacked through the stop: they must come again.
                await brokerDown.Task.WaitAsync(token);
            }

            await Task.Delay(2, token);
            batch.ToList().ForEach(log.Record);
        }, NullLogger.Instance);
        consumer.Start();

        var publisher = new MessagePublisher(publishing);
        var published = 0;
        var publishLoop = Task.Run(async () =>
        {
            for (var id = 0; id < count; id += 50)
            {
                if (id == count / 3)
                {
                    await brokerDown.Task; // the rest is sent into the outage, and waits for the broker
                }

                await publisher.PublishTestMessagesAsync(queue, 50, first: id);
                Interlocked.Add(ref published, 50);
                await Task.Delay(5);
            }
        });

        await Eventually.Until(() => Volatile.Read(ref published) >= count / 3 && log.Unique >= count / 6, Patience, () => $"{published} published, {log.Unique} handled");
        await broker.StopAsync();
        // The broker is gone once StopAsync returns; the clients hear the socket close a moment later.
        await Eventually.Until(() => !publishing.IsConnected && !consuming.IsConnected, Patience, () => "a client still thinks it is connected");
        brokerDown.SetResult();
        await Task.Delay(1_000); // sends keep waiting meanwhile instead of failing
        await broker.StartAsync();

        await publishLoop.WaitAsync(Patience);
        await Eventually.Until(() => log.Unique == count, Patience, () => $"{log.Unique} of {count} arrived; missing e.g. {string.Join(',', log.Missing(count).Take(5))}");
        log.Missing(count).ShouldBeEmpty();
        log.Total.ShouldBeGreaterThan(count, "the batch handled while the broker was down was never acked, so it came again");
        // Awaited, not read once: the consumer reconnects on its own backoff. When everything had been handled before
        // the stop, the test read it while the consumer was still reconnecting, and failed.
        await Eventually.Until(() => consuming.IsConnected, Patience, () => $"the consumer did not reconnect: {consuming.LastError}");
    }

    [Fact]
    public async Task Every_confirmed_send_survives_the_broker_being_killed_right_after_the_confirmation()
    {
        const int count = 5_000;
        await using var broker = await BrokerInstance.StartPrivateAsync();
        var queue = Destination.Queue(Eventually.UniqueQueue("confirmed-durable"));
        await using (var publishing = await broker.ConnectClientAsync())
        {
            // Concurrent sends are group-committed in transactions; each confirmation must still mean "stored".
            var publisher = new MessagePublisher(publishing);
            await publisher.PublishTestMessagesAsync(queue, count);
            await broker.KillAsync(); // SIGKILL: no clean shutdown, nothing flushed on the way out
        }

        await broker.StartAsync();
        await using var consuming = await broker.ConnectClientAsync();
        var log = new DeliveryLog();
        await using var consumer = new MessageConsumer<TestMessage>(consuming, queue, new ConsumerOptions { Prefetch = 1_000 }, 200, (batch, _) =>
        {
            batch.ToList().ForEach(log.Record);
            return Task.CompletedTask;
        }, NullLogger.Instance);
        consumer.Start();

        await Eventually.Until(() => log.Unique == count, Patience, () => $"{log.Unique} of {count} confirmed messages survived");
        log.Missing(count).ShouldBeEmpty();
    }

    [Fact]
    public async Task Messages_held_unacked_by_a_killed_consumer_process_go_to_the_other_consumer()
    {
        const int count = 20;
        var queue = Eventually.UniqueQueue("killed-consumer");
        var options = await fixture.Broker.OptionsAsync();
        using var probe = StartProbeConsumer(options, queue, prefetch: 100);
        var received = 0;
        var subscribed = new TaskCompletionSource();
        probe.OutputDataReceived += (_, line) =>
        {
            if (line.Data == "subscribed")
            {
                subscribed.TrySetResult();
            }
            else if (line.Data?.StartsWith("received ", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref received);
            }
        };
        probe.BeginOutputReadLine();
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await using var client = await fixture.Broker.ConnectClientAsync();
        var publisher = new MessagePublisher(client);
        await publisher.PublishTestMessagesAsync(Destination.Queue(queue), count);
        await Eventually.Until(() => Volatile.Read(ref received) == count, Patience, () => $"probe holds {received} of {count}");

        var log = new DeliveryLog();
        await using var survivor = MessageConsumer.ForSingleMessages<TestMessage>(client, Destination.Queue(queue), new ConsumerOptions(), (m, _) =>
        {
            log.Record(m);
            return Task.CompletedTask;
        }, NullLogger.Instance);
        survivor.Start();
        await Task.Delay(500);
        log.Unique.ShouldBe(0, "the probe still holds every message");

        probe.Kill(); // SIGKILL: no DISCONNECT, no acks
        await probe.WaitForExitAsync();

        await Eventually.Until(() => log.Unique == count, Patience, () => $"{log.Unique} of {count} moved to the survivor");
        log.Redelivered.ShouldBe(count, "the broker marks them redelivered");
    }

    [Fact]
    public async Task A_connection_that_goes_silent_is_detected_by_heartbeats_and_replaced()
    {
        // A fake broker that completes the handshake, promises heart-beats, then never sends another byte.
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var connections = 0;
        var serving = Task.Run(async () =>
        {
            var sockets = new List<TcpClient>();
            while (true)
            {
                var socket = await server.AcceptTcpClientAsync();
                sockets.Add(socket);
                Interlocked.Increment(ref connections);
                await socket.GetStream().WriteAsync(Encoding.UTF8.GetBytes("CONNECTED\nversion:1.2\nheart-beat:300,300\n\n\0"));
            }
        });
        var port = ((IPEndPoint)server.LocalEndpoint).Port;
        var logger = new ListLogger<BrokerClient>();
        await using var client = new BrokerClient(Options.Create(new BrokerOptions
        {
            Host = "127.0.0.1",
            Port = port,
            HeartbeatMilliseconds = 300,
            ReconnectMinDelayMilliseconds = 50,
            ReconnectMaxDelayMilliseconds = 100,
        }), logger);

        await client.WaitUntilConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        var watch = Stopwatch.StartNew();
        await Eventually.Until(() => Volatile.Read(ref connections) >= 2, TimeSpan.FromSeconds(10), () => "no reconnect after the silence");

        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3), "two missed heart-beat intervals (600 ms) and a backoff");
        logger.Lines.ShouldContain(line => line.Contains("Lost the connection", StringComparison.Ordinal) && line.Contains("heart-beat", StringComparison.Ordinal));
        server.Stop();
    }

    [Fact]
    public async Task A_send_waits_for_the_broker_but_only_as_long_as_the_send_timeout()
    {
        var port = BrokerInstance.FreePort(); // nothing listens there
        await using var client = new BrokerClient(Options.Create(new BrokerOptions { Host = "127.0.0.1", Port = port, SendTimeoutSeconds = 2, ReconnectMaxDelayMilliseconds = 200 }));
        var watch = Stopwatch.StartNew();

        var error = await Should.ThrowAsync<MessagingUnavailableException>(() => new MessagePublisher(client).PublishAsync(Destination.Queue("nowhere"), new TestMessage(1)));

        watch.Elapsed.ShouldBeInRange(TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
        error.Message.ShouldContain($"127.0.0.1:{port}");
        error.Message.ShouldContain("within 2 s");
    }

    [Fact]
    public async Task Wrong_credentials_are_refused_and_reported_as_the_reason_the_broker_is_not_ready()
    {
        var options = await fixture.Broker.OptionsAsync();
        options.Password = "not-the-password";
        options.SendTimeoutSeconds = 2;
        await using var client = new BrokerClient(Options.Create(options));
        client.Start();

        await Eventually.Until(() => client.LastError is not null, TimeSpan.FromSeconds(10), () => "no connection error recorded");
        client.IsConnected.ShouldBeFalse();
        client.LastError!.ShouldContain("refused the connection");
    }

    private static Process StartProbeConsumer(BrokerOptions options, string queue, int prefetch)
    {
        var probe = Path.Combine(AppContext.BaseDirectory.Replace("Fleetman.Messaging.Tests", "Fleetman.Messaging.ProbeConsumer", StringComparison.Ordinal), "Fleetman.Messaging.ProbeConsumer.dll");
        File.Exists(probe).ShouldBeTrue($"the probe consumer is built at {probe}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(probe);
        start.ArgumentList.Add(queue);
        start.ArgumentList.Add(prefetch.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Environment["Broker__Host"] = options.Host;
        start.Environment["Broker__Port"] = options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Broker__Username"] = options.Username;
        start.Environment["Broker__Password"] = options.Password;
        return Process.Start(start)!;
    }
}
