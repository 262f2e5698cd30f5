using Fleetman.PositionTracker;

namespace Fleetman.ApiGateway.Tests.Integration;

/// <summary>
/// tracker + queue-consumer (batching as in production) + api-gateway with a 500 ms push interval, hosted in-process. Each test uses its own
/// vehicles, so they share the run.
/// </summary>
public sealed class LiveGateway : IAsyncLifetime
{
    public const int PushIntervalMilliseconds = 500;

    public IsolatedRun Run { get; private set; } = null!;

    public InProcessService<TrackerClientOptions> Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Run = await IsolatedRun.StartAsync();
        var tracker = await Run.HostAsync<TrackerOptions>();
        await Run.HostAsync<Fleetman.QueueConsumer.QueueConsumerPipelineOptions>(); // the queue-consumer
        Gateway = await Run.HostAsync<TrackerClientOptions>(LiveTracker.GatewaySettings(tracker.Address, new Dictionary<string, string?>
        {
            ["Hub__PushIntervalMilliseconds"] = PushIntervalMilliseconds.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
            ["Hub__MaxFollowedVehicles"] = "3",
        }));
    }

    public async Task DisposeAsync() => await Run.DisposeAsync();

    /// <summary>Publishes the reports and waits until the gateway's REST route shows each vehicle at its last one.</summary>
    public async Task PublishAndWaitUntilStoredAsync(List<Fleetman.Contracts.PositionReported> reports)
    {
        await Run.PublishAsync(reports);
        var last = reports.GroupBy(r => r.Vehicle).ToDictionary(g => g.Key, g => g.Max(r => r.Time));
        await Eventually.Until(() => last.All(vehicle =>
        {
            using var response = Gateway.Http.GetAsync(new Uri($"/api/vehicles/{Uri.EscapeDataString(vehicle.Key)}", UriKind.Relative)).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode
                && JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.GetProperty("timestamp").GetDateTimeOffset() == vehicle.Value;
        }), TimeSpan.FromSeconds(60), () => "the reports were not all stored");
    }
}

/// <summary>The hub at <c>/hubs/vehicles</c>: snapshot, coalesced batches, following — the contract the webapp is written against.</summary>
public sealed class LiveHubTests(LiveGateway live) : IClassFixture<LiveGateway>
{
    [Fact]
    public async Task A_client_gets_a_snapshot_of_every_vehicle_on_connect_and_then_their_new_positions()
    {
        // One report each, stored, then the next: the second is measured against the first (speed and heading). Sent
        // together they could land in two batches handled at once, each finding no earlier point (see the consumer's
        // README on concurrent batches).
        await live.PublishAndWaitUntilStoredAsync(Reports.Interleaved(1, "Snap Truck", "Snap Van"));
        await live.PublishAndWaitUntilStoredAsync([Reports.Of("Snap Truck", 1, lane: 0), Reports.Of("Snap Van", 1, lane: 1)]);

        await using var client = await HubClient.ConnectAsync(live.Gateway.Address);

        var raw = await client.RawSnapshot.WaitAsync(TimeSpan.FromSeconds(30));
        raw.ValueKind.ShouldBe(JsonValueKind.Array);
        var truckJson = raw.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Snap Truck");
        truckJson.EnumerateObject().Select(p => p.Name).ShouldBe(["name", "lat", "lng", "time", "speed", "heading"]);
        truckJson.GetProperty("time").GetString()!.ShouldEndWith("Z");
        var snapshot = await client.SnapshotAsync();
        var truck = snapshot.Single(p => p.Name == "Snap Truck");
        var expected = Reports.Of("Snap Truck", 1, lane: 0);
        (truck.Lat, truck.Lng, truck.Time).ShouldBe((expected.Latitude, expected.Longitude, expected.Time));
        truck.Speed.ShouldNotBeNull().ShouldBeGreaterThan(0);
        truck.Heading.ShouldNotBeNull().ShouldBeInRange(0, 90, "north-east");
        snapshot.Select(p => p.Name).ShouldContain("Snap Van");

        var moved = new[] { Reports.Of("Snap Truck", 5, lane: 0), Reports.Of("Snap Van", 5, lane: 1) };
        await live.Run.PublishAsync([.. moved]);

        await client.ReceivedAsync("Snap Truck", moved[0].Time);
        await client.ReceivedAsync("Snap Van", moved[1].Time);
        client.Received("Snap Van").Last().Lat.ShouldBe(moved[1].Latitude);
        client.Snapshots.ShouldBe(1);
        client.FramesBeforeSnapshot.ShouldBe(0);
    }

    [Fact]
    public async Task Many_quick_reports_arrive_coalesced_in_fewer_frames_each_vehicle_once_per_frame_ending_at_the_last_report()
    {
        const int reportsEach = 60;
        await using var client = await HubClient.ConnectAsync(live.Gateway.Address);
        await client.SnapshotAsync();

        var reports = Reports.Interleaved(reportsEach, "Busy Truck", "Busy Van");
        await live.Run.PublishAsync(reports);

        var lastTruck = reports.Last(r => r.Vehicle == "Busy Truck");
        var lastVan = reports.Last(r => r.Vehicle == "Busy Van");
        await client.ReceivedAsync("Busy Truck", lastTruck.Time);
        await client.ReceivedAsync("Busy Van", lastVan.Time);

        var frames = client.Frames.Where(frame => frame.Any(p => p.Name.StartsWith("Busy ", StringComparison.Ordinal))).ToList();
        frames.Count.ShouldBeLessThan(reportsEach, "the 120 reports came in fewer frames than one vehicle's reports");
        frames.ShouldAllBe(frame => frame.Select(p => p.Name).Distinct().Count() == frame.Length, "a vehicle at most once per frame");
        frames.ShouldContain(frame => frame.Length > 1, "a frame carries several vehicles");
        var truck = client.Received("Busy Truck");
        truck.Count.ShouldBeLessThan(reportsEach);
        truck.Select(p => p.Time).ShouldBeInOrder(SortDirection.Ascending);
        (truck[^1].Lat, truck[^1].Lng).ShouldBe((lastTruck.Latitude, lastTruck.Longitude));
        (client.Received("Busy Van")[^1].Lat, client.Received("Busy Van")[^1].Lng).ShouldBe((lastVan.Latitude, lastVan.Longitude));
    }

    [Fact]
    public async Task A_followed_vehicle_gets_every_point_in_order_while_the_others_stay_coalesced_until_it_is_unfollowed()
    {
        const int reportsEach = 40;
        await using var client = await HubClient.ConnectAsync(live.Gateway.Address);
        await client.SnapshotAsync();
        await client.InvokeAsync("Follow", "Followed Truck");

        var reports = Reports.Interleaved(reportsEach, "Followed Truck", "Other Van");
        var followedTimes = reports.Where(r => r.Vehicle == "Followed Truck").Select(r => r.Time).ToList();
        await live.Run.PublishAsync(reports);
        // Every point, not only the last: two batches handled at once can finish out of order, and then the points of
        // the earlier batch come after the last one (the next test pins that down).
        await Eventually.Until(
            () => followedTimes.All(time => client.Received("Followed Truck").Any(p => p.Time == time)),
            () => $"the followed vehicle's points received: {client.Received("Followed Truck").Count} of {followedTimes.Count}");
        await client.ReceivedAsync("Other Van", reports.Last(r => r.Vehicle == "Other Van").Time);

        // Every point once, in the order the consumer announced them.
        client.Received("Followed Truck").Select(p => p.Time).ShouldBe(followedTimes, ignoreOrder: true, "every point, once");
        client.Received("Other Van").Count.ShouldBeLessThan(reportsEach);

        await client.InvokeAsync("Unfollow", "Followed Truck");
        var more = Enumerable.Range(reportsEach, reportsEach).Select(step => Reports.Of("Followed Truck", step)).ToList();
        await live.Run.PublishAsync(more);
        await client.ReceivedAsync("Followed Truck", more[^1].Time);

        client.Received("Followed Truck").Count(p => p.Time >= more[0].Time).ShouldBeLessThan(reportsEach, "coalesced again");
    }

    [Fact]
    public async Task A_point_announced_after_a_newer_one_reaches_followers_only_and_a_repeat_reaches_no_one()
    {
        await using var follower = await ConnectedAsync(following: "Late Truck");
        await using var watcher = await ConnectedAsync();
        static VehiclePosition Point(int second) =>
            new("Late Truck", 53.38 + (second * 1e-4), -1.47, Reports.Start.AddSeconds(second), 20, 90);

        // As two queue-consumer batches finishing out of order announce them, then a redelivered batch again.
        await using var broker = await live.Run.Broker.ConnectAsync();
        foreach (var update in new[] { [Point(2)], [Point(1)], new[] { Point(1), Point(2) } })
        {
            await broker.PublishToTopicAsync(live.Run.Topic, new VehiclePositionsUpdated(update, DateTimeOffset.UtcNow));
        }

        await follower.ReceivedAsync("Late Truck", Point(1).Time);
        await watcher.ReceivedAsync("Late Truck", Point(2).Time);
        await Task.Delay(LiveGateway.PushIntervalMilliseconds * 3); // a repeat or a late point would have gone out by now

        follower.Received("Late Truck").Select(p => p.Time).ShouldBe([Point(2).Time, Point(1).Time], "the late point follows, once");
        watcher.Received("Late Truck").Select(p => p.Time).ShouldBe([Point(2).Time], "a marker never moves back");
    }

    [Fact]
    public async Task A_report_the_consumer_stores_after_a_newer_one_reaches_followers_and_moves_no_marker()
    {
        await using var follower = await ConnectedAsync(following: "Stored Late Truck");
        await using var watcher = await ConnectedAsync();

        // The newer report stored first, as when two batches are handled at once and the later one finishes first.
        var newer = Reports.Of("Stored Late Truck", 2);
        var older = Reports.Of("Stored Late Truck", 1);
        await live.PublishAndWaitUntilStoredAsync([newer]);
        await live.Run.PublishAsync([older]);

        await follower.ReceivedAsync("Stored Late Truck", older.Time);
        await watcher.ReceivedAsync("Stored Late Truck", newer.Time);
        follower.Received("Stored Late Truck").Select(p => p.Time).ShouldBe([newer.Time, older.Time], "the late point follows, once");
        watcher.Received("Stored Late Truck").Select(p => p.Time).ShouldBe([newer.Time], "a marker never moves back");
    }

    [Fact]
    public async Task The_gateway_counts_its_connections_the_frames_and_positions_it_pushed_and_their_lag()
    {
        await using var client = await HubClient.ConnectAsync(live.Gateway.Address);
        await client.SnapshotAsync();
        var report = Reports.Of("Counted Van", 1);
        await live.Run.PublishAsync([report]);
        await client.ReceivedAsync("Counted Van", report.Time);

        var metrics = (await live.Gateway.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n');
        // The exported series is one per process, and this test process hosts several api-gateways (other classes'
        // fixtures, some with no connection): whichever gauge was observed last sets it. So the series is checked to be
        // exported, and the count is read from this host's own instruments, as its own process would export it.
        Value(metrics, "fleetman_apigateway_hub_connections").ShouldBeGreaterThanOrEqualTo(0);
        live.Gateway.Services.GetRequiredService<ApiGatewayMetrics>().Connections.ShouldBeGreaterThanOrEqualTo(1);
        Value(metrics, "fleetman_apigateway_hub_frames{kind=\"snapshot\"}").ShouldBeGreaterThanOrEqualTo(1);
        Value(metrics, "fleetman_apigateway_hub_frames{kind=\"positions\"}").ShouldBeGreaterThanOrEqualTo(1);
        Value(metrics, "fleetman_apigateway_hub_positions{kind=\"positions\"}").ShouldBeGreaterThanOrEqualTo(1);
        Value(metrics, "fleetman_apigateway_hub_push_lag_count").ShouldBeGreaterThanOrEqualTo(1);
    }

    /// <summary>A client that has its snapshot, and follows <paramref name="following"/> when given.</summary>
    private async Task<HubClient> ConnectedAsync(string? following = null)
    {
        var client = await HubClient.ConnectAsync(live.Gateway.Address);
        await client.SnapshotAsync();
        if (following is not null)
        {
            await client.InvokeAsync("Follow", following);
        }

        return client;
    }

    private static double Value(string[] metrics, string series) =>
        double.Parse(metrics.Single(line => line.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], global::System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Following_more_vehicles_than_allowed_is_refused_with_the_reason()
    {
        await using var client = await HubClient.ConnectAsync(live.Gateway.Address);
        foreach (var vehicle in new[] { "A", "B", "C" })
        {
            await client.InvokeAsync("Follow", vehicle);
        }

        var refused = await Should.ThrowAsync<Microsoft.AspNetCore.SignalR.HubException>(() => client.InvokeAsync("Follow", "D"));
        refused.Message.ShouldContain("at most 3 vehicles");
        await client.InvokeAsync("Unfollow", "A");
        await client.InvokeAsync("Follow", "D");
        client.State.ShouldBe(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected);
    }
}
