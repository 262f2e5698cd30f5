using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fleetman.Messaging.Tests.Integration;

[Collection(SharedBrokerTests.Name)]
public sealed class HostingTests(SharedBrokerFixture fixture)
{
    [Fact]
    public async Task A_hosted_batch_consumer_handles_published_messages_and_reports_the_broker_ready()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("hosted"));
        var builder = await BuilderWithBrokerAsync();
        builder.Services.AddSingleton<DeliveryLog>();
        builder.Services.AddSingleton(MessageTopology.Default.With<TestMessage>(queue));
        builder.AddMessaging().AddBatchConsumer<TestMessage, RecordingHandler>("Consumer");
        using var host = builder.Build();
        await host.StartAsync();

        var publisher = host.Services.GetRequiredService<IMessagePublisher>();
        await publisher.PublishTestMessagesAsync(50);

        var log = host.Services.GetRequiredService<DeliveryLog>();
        await Eventually.Until(() => log.Unique == 50, TimeSpan.FromSeconds(30), () => $"{log.Unique} of 50 handled");
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains("ready"));
        health.Entries["broker"].Status.ShouldBe(HealthStatus.Healthy);
        publisher.IsConnected.ShouldBeTrue();
        await host.StopAsync();
    }

    [Theory]
    [InlineData("refuses connections")]
    [InlineData("accepts and never answers")]
    public async Task While_the_broker_cannot_be_reached_the_publisher_says_it_is_not_connected_and_the_broker_check_gives_the_reason_in_one_sentence(string broker)
    {
        await using var silent = new SilentServer();
        var port = broker == "refuses connections" ? BrokerInstance.FreePort() : silent.Port;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Broker:Host"] = "127.0.0.1",
            ["Broker:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Broker:ConnectTimeoutSeconds"] = "1",
        });
        builder.AddMessaging();
        using var host = builder.Build();
        await host.StartAsync();
        var client = ((BrokerClient)host.Services.GetRequiredService<IMessageTransport>());
        await Eventually.Until(() => client.LastError is not null, TimeSpan.FromSeconds(10), () => "no connection attempt failed yet");

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains("ready"));

        health.Entries["broker"].Status.ShouldBe(HealthStatus.Unhealthy);
        var description = health.Entries["broker"].Description.ShouldNotBeNull();
        description.ShouldStartWith($"Not connected to the broker at 127.0.0.1:{port}: ");
        description.ShouldEndWith(".");
        description.ShouldNotEndWith("..");
        host.Services.GetRequiredService<IMessagePublisher>().IsConnected.ShouldBeFalse();
        await host.StopAsync();
    }

    [Theory]
    [InlineData("Broker:Host", "", "Broker:Host (environment variable Broker__Host)")]
    [InlineData("Broker:Port", "70000", "Broker:Port (environment variable Broker__Port)")]
    [InlineData("Broker:Port", "sixty", "Broker:Port (environment variable Broker__Port): 'sixty' is not a valid Int32")]
    [InlineData("Consumer:Prefetch", "0", "Consumer:Prefetch (environment variable Consumer__Prefetch)")]
    [InlineData("Consumer:RetryMaxDelayMilliseconds", "1", "Consumer:RetryMaxDelayMilliseconds (environment variable Consumer__RetryMaxDelayMilliseconds)")]
    public async Task Bad_messaging_settings_stop_the_host_at_start_naming_the_setting(string key, string value, string expected)
    {
        var builder = await BuilderWithBrokerAsync();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddSingleton(MessageTopology.Default.With<TestMessage>(Destination.Queue("never-used")));
        builder.AddMessaging().AddBatchConsumer<TestMessage, RecordingHandler>("Consumer");
        using var host = builder.Build();

        var error = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        error.Failures.ShouldHaveSingleItem().ShouldStartWith(expected);
    }

    private async Task<HostApplicationBuilder> BuilderWithBrokerAsync()
    {
        var options = await fixture.Broker.OptionsAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Broker:Host"] = options.Host,
            ["Broker:Port"] = options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Broker:Username"] = options.Username,
            ["Broker:Password"] = options.Password,
            ["Consumer:BatchSize"] = "10",
        });
        return builder;
    }

    private sealed class RecordingHandler(DeliveryLog log) : IBatchMessageHandler<TestMessage>
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
}
