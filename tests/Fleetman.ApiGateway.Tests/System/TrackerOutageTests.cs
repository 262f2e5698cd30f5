namespace Fleetman.ApiGateway.Tests.System;

/// <summary>The position-tracker goes away: the map must keep every vehicle, and the gateway must stay in service.</summary>
public sealed class TrackerOutageTests
{
    private static readonly string[] Vehicles = ["Van 1", "Van 2", "Van 3", "Van 4"];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task With_the_tracker_stopped_the_list_still_comes_from_memory_one_vehicle_from_redis_with_the_fallback_header_history_is_a_503_and_the_gateway_stays_ready()
    {
        await using var run = await IsolatedRun.StartAsync();
        var (tracker, gateway, before) = await StartWithStoredFleetAsync(run, steps: 3);

        await tracker.StopAsync();

        using (var response = await gateway.Http.GetAsync(new Uri("/api/vehicles/", UriKind.Relative)))
        {
            // The list is the gateway's own (read from Redis, kept current by the updates topic): the tracker is not asked.
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Headers.Contains("X-Fleetman-Fallback").ShouldBeFalse();
            var vehicles = (await response.Content.ReadFromJsonAsync<JsonElement[]>())!;
            vehicles.Select(Describe).ShouldBe(before.Select(Describe), ignoreOrder: true, "the same vehicles, positions, times and speeds as the tracker gave");
        }

        using (var response = await gateway.Http.GetAsync(new Uri("/api/vehicles/Van%202", UriKind.Relative)))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Headers.GetValues("X-Fleetman-Fallback").ShouldBe(["last-known-positions"]);
            Describe((await response.Content.ReadFromJsonAsync<JsonElement>())).ShouldBe(Describe(before.Single(v => v.GetProperty("name").GetString() == "Van 2")));
        }

        using (var response = await gateway.Http.GetAsync(new Uri("/api/vehicles/Nobody", UriKind.Relative)))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }

        foreach (var path in new[] { "/api/history/Van%201", "/api/vehicles/Van%201/history?limit=5", "/api/fleet/summary" })
        {
            using var response = await gateway.Http.GetAsync(new Uri(path, UriKind.Relative));
            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, path);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", path);
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString()!.ShouldContain("tracker is unavailable", Case.Insensitive, path);
        }

        (await gateway.Http.GetAsync(new Uri("/healthz/ready", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        // The meter adapter hands measurements to /metrics asynchronously: give a busy machine a moment.
        var fallbackLines = "";
        await Eventually.Until(
            () =>
            {
                fallbackLines = string.Join(" | ", gateway.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult()
                    .Split('\n').Where(line => line.StartsWith("fleetman_apigateway_fallback_answers", StringComparison.Ordinal)));
                return fallbackLines.Contains("fleetman_apigateway_fallback_answers{route=\"vehicle\"} 2", StringComparison.Ordinal); // Van 2, Nobody
            },
            TimeSpan.FromSeconds(30), () => $"no fallback_answers{{route=\"vehicle\"}} 2 in /metrics: {fallbackLines}");
    }

    [Fact]
    public async Task While_the_tracker_is_killed_new_positions_still_show_and_once_it_is_back_it_answers_again()
    {
        await using var run = await IsolatedRun.StartAsync();
        var (tracker, gateway, _) = await StartWithStoredFleetAsync(run, steps: 2);

        await tracker.KillAsync();
        var moved = Reports.Of("Van 3", 10);
        await run.PublishAsync([moved]);

        JsonElement[] vehicles = [];
        await Eventually.Until(() =>
        {
            vehicles = gateway.GetJsonAsync<JsonElement[]>("/api/vehicles/").GetAwaiter().GetResult();
            return vehicles.Any(v => v.GetProperty("name").GetString() == "Van 3" && v.GetProperty("timestamp").GetDateTimeOffset() == moved.Time);
        }, Patience, () => $"Van 3's new position not served: {string.Join(", ", vehicles.Select(Describe))}");
        vehicles.Length.ShouldBe(Vehicles.Length);

        await tracker.StartAsync(TimeSpan.FromSeconds(30));

        // The api-gateway's circuit breaker may still be open for its break (5 s) when the tracker is ready again: it
        // answers 503 with Retry-After meanwhile, and a client asking again gets the history.
        await Eventually.Until(() =>
        {
            using var attempt = gateway.Http.GetAsync(new Uri("/api/history/Van%203", UriKind.Relative)).GetAwaiter().GetResult();
            return attempt.StatusCode != HttpStatusCode.ServiceUnavailable;
        }, Patience, () => "the history stayed unavailable after the tracker was back");
        using var response = await gateway.Http.GetAsync(new Uri("/api/history/Van%203", UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<JsonElement[]>())!.Length.ShouldBe(3);
        using var list = await gateway.Http.GetAsync(new Uri("/api/vehicles/", UriKind.Relative));
        list.Headers.Contains("X-Fleetman-Fallback").ShouldBeFalse();
    }

    /// <summary>
    /// Starts the tracker, a queue-consumer and the gateway in <paramref name="run"/>, publishes <paramref name="steps"/>
    /// reports of every vehicle and waits until the gateway lists them all at the last one: the fleet both tests take away
    /// the tracker from.
    /// </summary>
    private static async Task<(ServiceProcess Tracker, ServiceProcess Gateway, JsonElement[] Stored)> StartWithStoredFleetAsync(IsolatedRun run, int steps)
    {
        // The consumer beside the tracker and the gateway (each start takes seconds on a shared machine).
        var consumerStarting = run.StartConsumerAsync();
        var tracker = await run.StartTrackerAsync();
        var gateway = await run.StartGatewayAsync(tracker);
        await consumerStarting;
        await run.PublishAsync(Reports.Interleaved(steps, Vehicles));
        return (tracker, gateway, await AllStoredAsync(gateway, lastStep: steps - 1));
    }

    /// <summary>Waits until the tracker, through the gateway, has every vehicle at report <paramref name="lastStep"/>.</summary>
    private static async Task<JsonElement[]> AllStoredAsync(ServiceProcess gateway, int lastStep)
    {
        JsonElement[] vehicles = [];
        await Eventually.Until(() =>
        {
            vehicles = gateway.GetJsonAsync<JsonElement[]>("/api/vehicles/").GetAwaiter().GetResult();
            return vehicles.Length == Vehicles.Length && vehicles.All(v => v.GetProperty("timestamp").GetDateTimeOffset() == Reports.Start.AddSeconds(lastStep));
        }, Patience, () => $"vehicles: {string.Join(", ", vehicles.Select(Describe))}");
        return vehicles;
    }

    private static string Describe(JsonElement vehicle) =>
        $"{vehicle.GetProperty("name").GetString()} {vehicle.GetProperty("lat").GetDouble()} {vehicle.GetProperty("longitude").GetDouble()} "
        + $"{vehicle.GetProperty("timestamp").GetDateTimeOffset():O} {vehicle.GetProperty("speed")}";
}
