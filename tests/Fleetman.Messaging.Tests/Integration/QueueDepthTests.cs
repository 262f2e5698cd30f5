using System.Diagnostics.Metrics;
using Fleetman.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Fleetman.Messaging.Tests.Integration;

/// <summary>The queue-depth gauge and its statistics client against the real broker (statisticsBrokerPlugin enabled).</summary>
// Not in the shared-broker collection: some of these tests start, stop and kill private brokers of their own, which
// takes seconds each; in a collection of their own they run beside the shared-broker tests instead of after them.
// The other tests here use only queues of their own on the shared broker.
public sealed class QueueDepthTests(SharedBrokerFixture fixture) : IClassFixture<SharedBrokerFixture>
{
    [Fact]
    public async Task The_depth_of_a_queue_without_consumers_is_what_waits_in_it_and_zero_once_it_is_consumed()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("depth"));
        await using var broker = await fixture.Broker.ConnectClientAsync();
        await using var statistics = new QueueStatisticsClient(await fixture.Broker.OptionsAsync(), TimeSpan.FromSeconds(5));
        var publisher = new MessagePublisher(broker);
        await publisher.PublishTestMessagesAsync(queue, 37);

        var waiting = await statistics.GetAsync(queue);

        waiting.ShouldBe(new QueueStatistics(queue.Name, Size: 37, ConsumerCount: 0, InflightCount: 0, EnqueueCount: 37, DequeueCount: 0, Exists: true));

        var acked = 0;
        using var subscription = broker.Subscribe(queue, prefetch: 10, message =>
        {
            message.Ack();
            Interlocked.Increment(ref acked);
        });
        await Eventually.Until(() => Volatile.Read(ref acked) == 37, () => $"{acked} of 37 consumed");
        var drained = await UntilAsync(() => statistics.GetAsync(queue), s => s.Size == 0);

        drained.ConsumerCount.ShouldBe(1);
        drained.DequeueCount.ShouldBe(37);
    }

    [Fact]
    public async Task A_queue_the_broker_does_not_have_yet_holds_nothing()
    {
        await using var statistics = new QueueStatisticsClient(await fixture.Broker.OptionsAsync(), TimeSpan.FromSeconds(5));
        var queue = Destination.Queue(Eventually.UniqueQueue("unknown"));

        var absent = await statistics.GetAsync(queue);

        absent.ShouldBe(new QueueStatistics(queue.Name, 0, 0, 0, 0, 0, Exists: false));
    }

    [Fact]
    public async Task The_hosted_gauge_follows_the_depth_on_the_messaging_meter_with_a_queue_tag()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("gauge"));
        using var gauge = new DepthGaugeReader(queue);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(ConfigurationOf(await fixture.Broker.OptionsAsync()));
        builder.Services.AddSingleton(MessageTopology.Default.With<TestMessage>(queue));
        builder.AddMessaging().AddQueueDepthGauge<TestMessage>();
        using var host = builder.Build();
        await host.StartAsync();
        var publisher = host.Services.GetRequiredService<IMessagePublisher>();

        await publisher.PublishTestMessagesAsync(20);
        await Eventually.Until(() => gauge.Read() == 20, () => $"gauge reads {gauge.Read()?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}, not 20");

        using var subscription = ((BrokerClient)host.Services.GetRequiredService<IMessageTransport>()).Subscribe(queue, prefetch: 100, message => message.Ack());
        await Eventually.Until(() => gauge.Read() == 0, () => $"gauge reads {gauge.Read()?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}, not 0");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_service_exports_the_depth_on_its_metrics_endpoint_under_the_contract_name()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("exported"));
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(ConfigurationOf(await fixture.Broker.OptionsAsync()));
        builder.AddServiceDefaults(TextWriter.Null);
        builder.Services.AddSingleton(MessageTopology.Default.With<TestMessage>(queue));
        builder.AddMessaging().AddQueueDepthGauge<TestMessage>();
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var publisher = app.Services.GetRequiredService<IMessagePublisher>();
        await publisher.PublishTestMessagesAsync(3);

        // docs/deployment-reference.md: fleetman_messaging_queue_depth{queue="positionQueue"}
        var expected = $"fleetman_messaging_queue_depth{{queue=\"{queue.Name}\"}} 3";
        var metrics = "";
        await UntilAsync(async () => metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), text => text.Contains(expected, StringComparison.Ordinal));

        metrics.Split('\n').ShouldContain(expected);
        await app.StopAsync();
    }

    [Fact]
    public async Task An_unreachable_broker_leaves_the_depth_unknown_says_so_once_and_does_not_stop_the_host()
    {
        var options = new BrokerOptions { Host = "127.0.0.1", Port = BrokerInstance.FreePort(), ConnectTimeoutSeconds = 2 };
        var log = new ListLogger<QueueDepthGauge>();
        var queue = Destination.Queue(Eventually.UniqueQueue("unreachable"));
        using var gauge = new QueueDepthGauge(queue, options, new QueueDepthOptions { PollIntervalSeconds = 1, ReplyTimeoutSeconds = 1 }, log);

        await gauge.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(3.5)); // three or four polls, all refused; unknown from the second

        gauge.ExecuteTask.ShouldNotBeNull().IsCompleted.ShouldBeFalse();
        gauge.Depth.ShouldNotBeNull().ShouldBe(double.NaN);
        var warning = OperatorLines(log).ShouldHaveSingleItem();
        warning.ShouldStartWith("Warning: Depth of queue " + queue.Name + " unknown");
        warning.ShouldContain("Cannot connect to the broker at 127.0.0.1:" + options.Port.ToString(CultureInfo.InvariantCulture));
        await gauge.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_gauge_logs_when_the_broker_goes_away_and_again_when_it_is_back()
    {
        await using var broker = await BrokerInstance.StartPrivateAsync();
        var queue = Destination.Queue(Eventually.UniqueQueue("outage"));
        var log = new ListLogger<QueueDepthGauge>();
        await using (var client = await broker.ConnectClientAsync())
        {
            await new MessagePublisher(client).PublishAsync(queue, new TestMessage(1));
        }

        // A stopped broker closes its connections: the gauge notices without heart-beats.
        var options = await broker.OptionsAsync();
        options.ConnectTimeoutSeconds = 2;
        using var gauge = new QueueDepthGauge(queue, options, new QueueDepthOptions { PollIntervalSeconds = 1 }, log);
        await gauge.StartAsync(CancellationToken.None);
        await Eventually.Until(() => gauge.Depth == 1, () => $"depth {gauge.Depth}; log: {string.Join(" | ", log.Lines)}");

        await broker.StopAsync();
        await Eventually.Until(() => gauge.Depth is double.NaN, () => $"depth {gauge.Depth} with the broker stopped");
        await Task.Delay(TimeSpan.FromSeconds(2)); // more failed polls: still one warning
        await broker.StartAsync();
        await Eventually.Until(() => gauge.Depth == 1, TimeSpan.FromSeconds(60), () => $"depth {gauge.Depth} after the broker came back");
        await gauge.StopAsync(CancellationToken.None);

        var lines = OperatorLines(log);
        // One warning per distinct reason: a broker still starting after the outage may first refuse the connection
        // and then be too slow to send statistics, two reasons in a row.
        lines.Count.ShouldBeInRange(3, 4, string.Join(" | ", lines));
        lines[0].ShouldStartWith($"Information: Depth of queue {queue.Name} available: read from the broker's statistics every 1 s");
        lines.Skip(1).SkipLast(1).ShouldAllBe(line => line.StartsWith($"Warning: Depth of queue {queue.Name} unknown", StringComparison.Ordinal));
        lines[^1].ShouldStartWith($"Information: Depth of queue {queue.Name} available again");
    }

    [Fact]
    public async Task Consuming_goes_on_when_the_broker_has_no_statistics_plugin()
    {
        await using var broker = await PluginlessBroker.StartAsync();
        var queue = Destination.Queue(Eventually.UniqueQueue("noplugin"));
        using var gauge = new DepthGaugeReader(queue);
        var builder = Host.CreateApplicationBuilder();
        var configuration = ConfigurationOf(broker.Options);
        configuration["QueueDepth:ReplyTimeoutSeconds"] = "1";
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton<DeliveryLog>();
        builder.Services.AddSingleton(MessageTopology.Default.With<TestMessage>(queue));
        builder.AddMessaging()
            .AddBatchConsumer<TestMessage, LoggingHandler>("Consumer")
            .AddQueueDepthGauge<TestMessage>();
        using var host = builder.Build();
        await host.StartAsync();

        var publisher = host.Services.GetRequiredService<IMessagePublisher>();
        await publisher.PublishTestMessagesAsync(50);
        var log = host.Services.GetRequiredService<DeliveryLog>();
        await Eventually.Until(() => log.Unique == 50, () => $"{log.Unique} of 50 handled");
        await Eventually.Until(() => gauge.Read() is double.NaN, () => $"gauge reads {gauge.Read()}, not NaN");

        await using var statistics = new QueueStatisticsClient(broker.Options, TimeSpan.FromSeconds(1));
        var error = await Should.ThrowAsync<QueueStatisticsUnavailableException>(() => statistics.GetAsync(queue));
        error.Message.ShouldContain("its statisticsBrokerPlugin is not enabled");
        ((BrokerClient)host.Services.GetRequiredService<IMessageTransport>()).IsConnected.ShouldBeTrue();
        await host.StopAsync();
    }

    private static Dictionary<string, string?> ConfigurationOf(BrokerOptions options) => new()
    {
        ["Broker:Host"] = options.Host,
        ["Broker:Port"] = options.Port.ToString(CultureInfo.InvariantCulture),
        ["Broker:Username"] = options.Username,
        ["Broker:Password"] = options.Password,
        ["Consumer:BatchSize"] = "10",
        ["QueueDepth:PollIntervalSeconds"] = "1",
    };

    /// <summary>What an operator sees at the default level: debug lines left out.</summary>
    private static List<string> OperatorLines(ListLogger<QueueDepthGauge> log) =>
        [.. log.Lines.Where(line => !line.StartsWith("Debug:", StringComparison.Ordinal) && !line.StartsWith("Trace:", StringComparison.Ordinal))];

    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Eventually.Patience;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }

    private sealed class LoggingHandler(DeliveryLog log) : IBatchMessageHandler<TestMessage>
    {
        public Task HandleAsync(IReadOnlyList<MessageContext<TestMessage>> batch, CancellationToken cancellationToken)
        {
            foreach (var message in batch)
            {
                log.Record(message);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>Reads the <c>queue_depth</c> gauge of meter Fleetman.Messaging for one queue, as an exporter would.</summary>
    private sealed class DepthGaugeReader : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly string _queue;
        private double? _last;

        public DepthGaugeReader(Destination queue)
        {
            _queue = queue.Name;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MessagingTelemetry.Name && instrument.Name == "queue_depth")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "queue" && Equals(tag.Value, _queue))
                    {
                        _last = value;
                    }
                }
            });
            _listener.Start();
        }

        /// <summary>The gauge's value now, or null while it has none for this queue.</summary>
        public double? Read()
        {
            lock (_listener)
            {
                _last = null;
                _listener.RecordObservableInstruments();
                return _last;
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>
    /// A real broker whose configuration lacks the statisticsBrokerPlugin: the project's infra.sh and activemq.xml,
    /// copied to a scratch tree with that one element removed, and run with their own state folder and ports.
    /// </summary>
    private sealed class PluginlessBroker : IAsyncDisposable
    {
        private readonly string _root;
        private readonly Dictionary<string, string> _environment;

        private PluginlessBroker(string root, Dictionary<string, string> environment, BrokerOptions options)
        {
            _root = root;
            _environment = environment;
            Options = options;
        }

        public BrokerOptions Options { get; }

        public static async Task<PluginlessBroker> StartAsync()
        {
            var root = Path.Combine(Path.GetTempPath(), "fleetman-test-noplugin-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(Path.Combine(root, "scripts"));
            Directory.CreateDirectory(Path.Combine(root, "infra", "activemq"));
            Directory.CreateDirectory(Path.Combine(root, "scripts", "lib"));
            File.Copy(Path.Combine(Repository.Root, "scripts", "infra.sh"), Path.Combine(root, "scripts", "infra.sh"));
            // infra.sh sources its parts from scripts/lib.
            foreach (var part in Directory.GetFiles(Path.Combine(Repository.Root, "scripts", "lib"), "infra-*.sh"))
            {
                File.Copy(part, Path.Combine(root, "scripts", "lib", Path.GetFileName(part)));
            }

            File.Copy(Path.Combine(Repository.Root, "infra", "activemq", "log4j.properties"), Path.Combine(root, "infra", "activemq", "log4j.properties"));
            // The JVM's module options, which the local broker shares with the container's start.sh.
            Directory.CreateDirectory(Path.Combine(root, "k8s", "base", "activemq"));
            File.Copy(Path.Combine(Repository.Root, "k8s", "base", "activemq", "java-modules.args"), Path.Combine(root, "k8s", "base", "activemq", "java-modules.args"));
            var config = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "infra", "activemq", "activemq.xml"));
            config.ShouldContain("<statisticsBrokerPlugin/>");
            await File.WriteAllTextAsync(Path.Combine(root, "infra", "activemq", "activemq.xml"), config.Replace("<statisticsBrokerPlugin/>", "", StringComparison.Ordinal));

            var environment = new Dictionary<string, string>
            {
                ["FLEETMAN_STATE_DIR"] = Path.Combine(root, "state"),
                ["FLEETMAN_STOMP_PORT"] = BrokerInstance.FreePort().ToString(CultureInfo.InvariantCulture),
                ["FLEETMAN_OPENWIRE_PORT"] = BrokerInstance.FreePort().ToString(CultureInfo.InvariantCulture),
            };
            await InfraAsync(root, environment, "start", "activemq");
            var values = (await InfraAsync(root, environment, "env", "activemq"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.StartsWith("export ", StringComparison.Ordinal) ? line[7..] : line)
                .Where(line => line.Contains('=', StringComparison.Ordinal))
                .ToDictionary(line => line[..line.IndexOf('=', StringComparison.Ordinal)], line => line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim('\'', '"'));
            return new PluginlessBroker(root, environment, new BrokerOptions
            {
                Host = values["Broker__Host"],
                Port = int.Parse(values["Broker__Port"], CultureInfo.InvariantCulture),
                Username = values["Broker__Username"],
                Password = values["Broker__Password"],
            });
        }

        public async ValueTask DisposeAsync()
        {
            await InfraAsync(_root, _environment, "stop", "activemq");
            Directory.Delete(_root, recursive: true);
        }

        private static async Task<string> InfraAsync(string root, Dictionary<string, string> environment, params string[] arguments)
        {
            var run = await ToolRun.RunAsync("bash", [Path.Combine(root, "scripts", "infra.sh"), .. arguments], environment);
            run.ExitCode.ShouldBe(0, $"infra.sh {string.Join(' ', arguments)}: {run.Errors}{run.Output}");
            return run.Output;
        }
    }
}
