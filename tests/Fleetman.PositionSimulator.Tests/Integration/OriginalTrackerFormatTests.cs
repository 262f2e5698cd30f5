using Fleetman.Messaging;
using Fleetman.Testing.Jms;
using Microsoft.AspNetCore.Builder;

namespace Fleetman.PositionSimulator.Tests.Integration;

/// <summary>
/// The simulator hosted in-process on the real ActiveMQ with <c>Simulator__WireFormat=JmsMap</c>, read by a JMS client
/// over OpenWire as the original Java position-tracker reads its queue.
/// </summary>
public sealed class OriginalTrackerFormatTests
{
    [Fact]
    public async Task With_the_jms_map_wire_format_the_original_tracker_receives_a_map_message_of_four_strings_it_can_parse()
    {
        var broker = BrokerInstance.Shared();
        var queue = Eventually.UniqueQueue("original-tracker");
        var environment = await broker.ServiceEnvironmentAsync();
        environment["Messaging__Destinations__PositionReported"] = queue;
        environment["Simulator__WireFormat"] = "JmsMap";
        environment["Simulator__Vehicles"] = "1";
        var jms = await JmsMapClient.ForAsync(broker);
        await using var simulator = await InProcessService.StartAsync<SimulatorOptions>(environment);

        var received = await jms.ReceiveAsync(queue, TimeSpan.FromSeconds(60));

        received.Entries.Keys.ShouldBe(["vehicle", "lat", "long", "time"], ignoreOrder: true);
        received.Types.Values.ShouldAllBe(type => type == "String");
        received.Entries["time"].ShouldMatch(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$");
        var time = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(received.Parsed["time"], CultureInfo.InvariantCulture));
        var written = DateTimeOffset.ParseExact(received.Entries["time"][..^"+0000".Length], "yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        time.ShouldBe(written, "the tracker's pattern reads the time as written, to the millisecond");
        time.ShouldBe(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        double.Parse(received.Parsed["lat"], CultureInfo.InvariantCulture).ShouldBe(53.375564, 0.2, "a position in the built-in town");
        double.Parse(received.Parsed["long"], CultureInfo.InvariantCulture).ShouldBe(-1.506785, 0.2);
        received.Entries["vehicle"].ShouldNotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData("Xml")]
    [InlineData("7")]
    public async Task An_unknown_wire_format_stops_the_simulator_at_start_naming_the_setting(string value)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            ["Simulator:WireFormat"] = value,
        });
        builder.AddMessaging();
        builder.AddPositionSimulator();
        await using var app = builder.Build();

        var error = await Should.ThrowAsync<OptionsValidationException>(() => app.StartAsync());

        error.Failures.ShouldHaveSingleItem().ShouldStartWith("Simulator:WireFormat (environment variable Simulator__WireFormat)");
    }
}
