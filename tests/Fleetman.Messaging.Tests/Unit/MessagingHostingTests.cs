using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fleetman.Messaging.Tests.Unit;

/// <summary>The library as a service uses it, on the in-memory transport: registration, topology, settings.</summary>
public sealed class MessagingHostingTests
{
    [Fact]
    public void The_topology_routes_reports_to_the_positions_queue_and_updates_to_the_vehicle_updates_topic()
    {
        var topology = MessageTopology.Default;

        topology.RouteOf<PositionReported>().ShouldBe(new Route(Destination.Queue("positionQueue"), Delivery.Persistent));
        topology.RouteOf<VehiclePositionsUpdated>().ShouldBe(new Route(Destination.Topic("vehicle-updates"), Delivery.Transient));
        Should.Throw<InvalidOperationException>(() => topology.RouteOf<TestMessage>()).Message.ShouldContain("no queue or topic for TestMessage");
    }

    [Fact]
    public async Task A_host_on_the_in_memory_transport_needs_no_broker_settings_and_delivers_what_it_publishes_to_its_handler()
    {
        var builder = Builder(new() { ["Messaging:Transport"] = "InMemory" });
        builder.Services.AddSingleton<List<VehiclePositionsUpdated>>();
        builder.AddMessaging().AddConsumer<VehiclePositionsUpdated, CollectingHandler>("Updates");
        using var host = builder.Build();
        await host.StartAsync();
        var update = new VehiclePositionsUpdated([new("Van", 53.38, -1.47, DateTimeOffset.UnixEpoch, null, null)], DateTimeOffset.UnixEpoch);

        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(update);

        var received = host.Services.GetRequiredService<List<VehiclePositionsUpdated>>();
        await Eventually.Until(() => received.Count == 1, () => "the update did not arrive");
        received[0].Positions.ShouldBe(update.Positions);
        host.Services.GetRequiredService<InMemoryBroker>().Published<VehiclePositionsUpdated>().Single().Positions.ShouldBe(update.Positions);
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains("ready"));
        health.Entries["broker"].Status.ShouldBe(HealthStatus.Healthy);
        await host.StopAsync();
    }

    [Fact]
    public async Task Destinations_are_renamed_in_the_messaging_section_and_keep_their_kind()
    {
        var builder = Builder(new()
        {
            ["Messaging:Transport"] = "InMemory",
            ["Messaging:Destinations:PositionReported"] = "test.positions",
            ["Messaging:Destinations:VehiclePositionsUpdated"] = "test.updates",
        });
        builder.AddMessaging();
        using var host = builder.Build();
        await host.StartAsync();

        var topology = host.Services.GetRequiredService<MessageTopology>();
        topology.NameOf<PositionReported>().ShouldBe("test.positions");
        topology.RouteOf<PositionReported>().Destination.ShouldBe(Destination.Queue("test.positions"));
        topology.RouteOf<VehiclePositionsUpdated>().Destination.ShouldBe(Destination.Topic("test.updates"));
        await host.StopAsync();
    }

    [Fact]
    public void A_transport_that_does_not_exist_stops_the_service_at_start_naming_the_setting()
    {
        var builder = Builder(new() { ["Messaging:Transport"] = "Kafka" });

        var error = Should.Throw<InvalidOperationException>(() => builder.AddMessaging());

        error.Message.ShouldStartWith("Invalid setting Messaging:Transport (Messaging__Transport): 'Kafka' is not a transport; use Stomp or InMemory.");
    }

    [Theory]
    [InlineData("Messaging:Destinations:PositionReports", "positions", "Messaging:Destinations:PositionReports")]
    [InlineData("Messaging:Destinations:PositionReported", "a/b", "Messaging:Destinations:PositionReported")]
    public async Task A_bad_destination_setting_stops_the_host_at_start_naming_it(string key, string value, string expected)
    {
        var builder = Builder(new() { ["Messaging:Transport"] = "InMemory", [key] = value });
        builder.AddMessaging();
        using var host = builder.Build();

        var error = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        error.Failures.ShouldHaveSingleItem().ShouldStartWith(expected);
    }

    [Fact]
    public async Task The_stomp_transport_is_the_default_and_wants_its_broker_settings()
    {
        var builder = Builder([]);
        builder.AddMessaging();
        using var host = builder.Build();

        var error = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        error.Failures.ShouldHaveSingleItem().ShouldStartWith("Broker:Host (environment variable Broker__Host)");
    }

    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    private sealed class CollectingHandler(List<VehiclePositionsUpdated> received) : IMessageHandler<VehiclePositionsUpdated>
    {
        public Task HandleAsync(MessageContext<VehiclePositionsUpdated> message, CancellationToken cancellationToken)
        {
            lock (received)
            {
                received.Add(message.Message);
            }

            return Task.CompletedTask;
        }
    }
}
