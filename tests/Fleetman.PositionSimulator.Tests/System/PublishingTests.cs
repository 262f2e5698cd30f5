namespace Fleetman.PositionSimulator.Tests.System;

[Collection(SharedBrokerTests.Name)]
public sealed class PublishingTests(SharedBrokerFixture fixture)
{
    [Fact]
    public async Task Five_vehicles_report_to_the_queue_every_200_ms_in_the_original_message_format()
    {
        var queue = Eventually.UniqueQueue("simulator");
        await using var simulator = await SimulatorProcess.StartAsync(await SimulatorEnvironment.ForAsync(fixture.Broker, queue, vehicles: 5, intervalMilliseconds: 200), listenWith: fixture.Broker);
        var listener = simulator.Listener!;

        await Eventually.Until(() => listener.Messages.Count >= 5 * 15, () => $"{listener.Messages.Count} of 75 reports arrived");

        var messages = listener.Messages.ToList();
        foreach (var message in messages)
        {
            message.EnumerateObject().Select(p => p.Name).ShouldBe(["vehicle", "lat", "long", "time"], ignoreOrder: true);
            message.GetProperty("vehicle").ValueKind.ShouldBe(JsonValueKind.String);
            message.GetProperty("time").TryGetDateTimeOffset(out var time).ShouldBeTrue($"time is ISO-8601: {message.GetProperty("time")}");
            time.Offset.ShouldBe(TimeSpan.Zero, "in UTC");
            var position = new GeoPoint(message.GetProperty("lat").GetDouble(), message.GetProperty("long").GetDouble());
            Geometry.Distance(Geometry.Sheffield, position).ShouldBeLessThanOrEqualTo(4_000, "inside the built-in town");
        }

        var byVehicle = messages.GroupBy(m => m.GetProperty("vehicle").GetString()!).ToList();
        byVehicle.Count.ShouldBe(5, "every vehicle reports");
        foreach (var vehicle in byVehicle)
        {
            var times = vehicle.Select(m => m.GetProperty("time").GetDateTimeOffset()).ToList();
            vehicle.Count().ShouldBeGreaterThanOrEqualTo(10, $"{vehicle.Key} reports five times a second");
            times.Zip(times.Skip(1), (a, b) => b > a).ShouldAllBe(later => later, $"{vehicle.Key}'s times increase");
            var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
            Geometry.Median(gaps).ShouldBeInRange(150, 250, $"{vehicle.Key} reports every 200 ms of simulated time");
        }

        var status = await simulator.StatusAsync();
        status.Running.ShouldBeTrue();
        status.Published.ShouldBeGreaterThanOrEqualTo(messages.Count);
        status.Failed.ShouldBe(0);
        using var ready = await simulator.Http.GetAsync(new Uri("/healthz/ready", UriKind.Relative));
        ready.StatusCode.ShouldBe(HttpStatusCode.OK, "connected to the broker");
    }

    [Fact]
    public async Task Tracks_from_a_folder_are_driven_and_extra_vehicles_reuse_them_under_numbered_names()
    {
        var queue = Eventually.UniqueQueue("simulator-tracks");
        await using var simulator = await SimulatorProcess.StartAsync(await SimulatorEnvironment.ForAsync(fixture.Broker, queue, vehicles: 40, intervalMilliseconds: 500,
            ("Simulator__Source", "Tracks"), ("Simulator__TracksPath", ReferenceTracks.Folder)), listenWith: fixture.Broker);
        var listener = simulator.Listener!;

        var expected = ReferenceTracks.Tracks.Select(t => t.Name).Concat(["City Truck 2", "Dronfield Round 2"]).ToHashSet();
        await Eventually.Until(() => listener.Vehicles().Count == 40, () => $"{listener.Vehicles().Count} of 40 vehicles reported");

        listener.Vehicles().ShouldBe(expected, ignoreOrder: true);
        (await simulator.StatusAsync()).Source.ShouldBe(VehicleSourceKind.Tracks);
        simulator.Output.Count(line => line.Contains("Skipped README.md", StringComparison.Ordinal)).ShouldBe(1);
        simulator.Output.Count(line => line.Contains("Skipped MD5SUMS", StringComparison.Ordinal)).ShouldBe(1);
    }
}
