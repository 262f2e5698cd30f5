namespace Fleetman.ApiGateway.Tests.Integration;

/// <summary>
/// Fleet events through the real broker and Redis with the tracker, queue-consumer and api-gateway hosted in-process: a
/// vehicle driving faster than the limit is announced to browsers as <c>fleetEvents</c> and served by <c>/api/events</c>.
/// </summary>
public sealed class FleetEventHubTests(LiveGateway live) : IClassFixture<LiveGateway>
{
    [Fact]
    public async Task An_overspeed_is_pushed_once_as_fleetEvents_and_served_newest_first_by_api_events()
    {
        await using var client = await HubClient.ConnectAsync(live.Gateway.Address);
        await client.SnapshotAsync();
        // About 111 m in one second: 400 km/h, far above the default limit of 50. One report after the other, as a
        // vehicle sends them (two reports of a vehicle handled at once by two batches would not see each other).
        await live.PublishAndWaitUntilStoredAsync([new("Speeder", 53.380, -1.47, Reports.Start)]);
        await live.PublishAndWaitUntilStoredAsync([new("Speeder", 53.381, -1.47, Reports.Start.AddSeconds(1))]);
        await Eventually.Until(() => Served().Any(e => e.GetProperty("vehicle").GetString() == "Speeder"), TimeSpan.FromSeconds(30), () => $"not served: {Served().Length} events");
        await client.FleetEventAsync("Speeder");

        var pushed = client.FleetEvents.Where(e => e.GetProperty("vehicle").GetString() == "Speeder").ShouldHaveSingleItem();
        pushed.GetProperty("kind").GetString().ShouldBe("overspeed_started");
        pushed.GetProperty("time").GetDateTimeOffset().ShouldBe(Reports.Start.AddSeconds(1));
        pushed.GetProperty("speedKph").GetDouble().ShouldBe(400, tolerance: 5);
        pushed.GetProperty("limitKph").GetDouble().ShouldBe(50);
        var served = Served();
        served.Where(e => e.GetProperty("vehicle").GetString() == "Speeder").ShouldHaveSingleItem()
            .GetProperty("id").GetString().ShouldBe(pushed.GetProperty("id").GetString());
        served.Select(e => e.GetProperty("time").GetDateTimeOffset()).ShouldBeInOrder(SortDirection.Descending);
    }

    private JsonElement[] Served() =>
        live.Gateway.Http.GetFromJsonAsync<JsonElement[]>(new Uri("/api/events?limit=1000", UriKind.Relative)).GetAwaiter().GetResult()!;

    [Fact]
    public async Task Bad_event_parameters_are_the_trackers_400_problem()
    {
        using var response = await live.Gateway.Http.GetAsync(new Uri("/api/events?limit=0", UriKind.Relative));

        await response.ShouldBeBadRequestNamingAsync("limit");
    }
}
