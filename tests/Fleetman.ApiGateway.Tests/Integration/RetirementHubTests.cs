namespace Fleetman.ApiGateway.Tests.Integration;

/// <summary>
/// Vehicles leaving the fleet, through the real broker and Redis with the tracker, queue-consumer and api-gateway hosted
/// in-process: a retirement reaches every browser as <c>vehiclesRemoved</c> and empties the REST list of them, while
/// their history stays readable.
/// </summary>
public sealed class RetirementHubTests(LiveGateway live) : IClassFixture<LiveGateway>
{
    [Fact]
    public async Task A_retirement_is_pushed_as_vehiclesRemoved_and_the_vehicles_leave_the_list_but_keep_their_history()
    {
        await live.PublishAndWaitUntilStoredAsync(Reports.Interleaved(3, "Retiring Van", "Retiring Truck", "Staying Van"));
        await using var client = await HubClient.ConnectAsync(live.Gateway.Address);
        (await client.SnapshotAsync()).Select(p => p.Name).ShouldContain("Retiring Van");

        await live.Run.PublishAsync(new VehiclesRetired(["Retiring Van", "Retiring Truck"], Reports.Start.AddSeconds(2)));

        await client.RemovedAsync("Retiring Van");
        client.Removals.SelectMany(names => names).ShouldBe(["Retiring Van", "Retiring Truck"], ignoreOrder: true);
        var listed = (await live.Gateway.Http.GetFromJsonAsync<JsonElement[]>(new Uri("/api/vehicles/", UriKind.Relative)))!
            .Select(v => v.GetProperty("name").GetString()).ToList();
        listed.ShouldContain("Staying Van");
        listed.ShouldNotContain("Retiring Van");
        listed.ShouldNotContain("Retiring Truck");
        using var latest = await live.Gateway.Http.GetAsync(new Uri("/api/vehicles/Retiring%20Van", UriKind.Relative));
        latest.StatusCode.ShouldBe(HttpStatusCode.NotFound, "a retired vehicle's latest position is answered as an unknown vehicle's");
        (await live.Gateway.Http.GetFromJsonAsync<JsonElement[]>(new Uri("/api/vehicles/Retiring%20Van/history", UriKind.Relative)))!.Length.ShouldBe(3, "its history stays");

        // A new connection's snapshot does not have them either.
        await using var later = await HubClient.ConnectAsync(live.Gateway.Address);
        (await later.SnapshotAsync()).Select(p => p.Name).ShouldNotContain("Retiring Van");
    }

    [Fact]
    public async Task A_report_from_before_the_retirement_still_queued_does_not_bring_the_vehicle_back()
    {
        await live.PublishAndWaitUntilStoredAsync([Reports.Of("Late Retiree", 1)]);
        await using var client = await HubClient.ConnectAsync(live.Gateway.Address);
        await client.SnapshotAsync();
        await live.Run.PublishAsync(new VehiclesRetired(["Late Retiree"], Reports.Start.AddSeconds(5)));
        await client.RemovedAsync("Late Retiree");

        // Sent before it left, handled after: stored as history, never on the map. Then one after it left: back.
        await live.Run.PublishAsync([Reports.Of("Late Retiree", 4)]);
        await live.Run.PublishAsync([Reports.Of("Late Retiree", 6)]);

        await client.ReceivedAsync("Late Retiree", Reports.Of("Late Retiree", 6).Time);
        client.Received("Late Retiree").Select(p => p.Time).ShouldBe([Reports.Of("Late Retiree", 6).Time]);
    }
}
