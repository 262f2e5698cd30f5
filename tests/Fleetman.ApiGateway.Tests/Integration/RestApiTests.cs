using Fleetman.PositionTracker;

namespace Fleetman.ApiGateway.Tests.Integration;

/// <summary>tracker + queue-consumer + api-gateway hosted in-process, three vehicles with five reports each, stored through the real pipeline.</summary>
public sealed class SeededGateway : IAsyncLifetime
{
    public static readonly string[] Vehicles = ["City Truck", "Village Van", "Bus 7"];
    public const int ReportsEach = 5;

    public IsolatedRun Run { get; private set; } = null!;

    public InProcessService<TrackerOptions> Tracker { get; private set; } = null!;

    public InProcessService<TrackerClientOptions> Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Run = await IsolatedRun.StartAsync();
        Tracker = await Run.HostAsync<TrackerOptions>();
        await Run.HostAsync<Fleetman.QueueConsumer.QueueConsumerPipelineOptions>(); // the queue-consumer
        Gateway = await Run.HostAsync<TrackerClientOptions>(LiveTracker.GatewaySettings(Tracker.Address));
        await Run.PublishAsync(Reports.Interleaved(ReportsEach, Vehicles));
        await Eventually.Until(() => Vehicles.All(StoredAll), TimeSpan.FromSeconds(60), () => "the reports were not all stored");
    }

    private bool StoredAll(string vehicle)
    {
        using var response = Tracker.Http.GetAsync(new Uri($"/vehicles/{Uri.EscapeDataString(vehicle)}/history", UriKind.Relative)).GetAwaiter().GetResult();
        return response.IsSuccessStatusCode
            && JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.GetArrayLength() == ReportsEach;
    }

    public async Task DisposeAsync() => await Run.DisposeAsync();
}

/// <summary>The REST routes the browser uses, through the api-gateway, against the original Fleetman's shapes.</summary>
public sealed class RestApiTests(SeededGateway seeded) : IClassFixture<SeededGateway>
{
    private readonly InProcessService<TrackerClientOptions> _gateway = seeded.Gateway;

    [Fact]
    public async Task The_vehicle_list_is_the_trackers_json_unchanged_in_the_original_shape()
    {
        // The gateway's list follows the updates topic, which announces a batch just after Redis has it: wait for the last one.
        var tracker = await seeded.Tracker.Http.GetStringAsync(new Uri("/vehicles/", UriKind.Relative));
        HttpResponseMessage? response = null;
        var body = "";
        await Eventually.Until(
            () =>
            {
                response?.Dispose();
                response = _gateway.Http.GetAsync(new Uri("/api/vehicles/", UriKind.Relative)).GetAwaiter().GetResult();
                body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                return body == tracker;
            },
            TimeSpan.FromSeconds(30), () => $"the gateway's list {body} is not the tracker's {tracker}");

        using var answer = response!;
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        answer.Headers.Contains("X-Fleetman-Fallback").ShouldBeFalse();
        using var document = JsonDocument.Parse(body);
        var vehicles = document.RootElement.EnumerateArray().ToList();
        vehicles.Select(v => v.GetProperty("name").GetString()).ShouldBe(SeededGateway.Vehicles, ignoreOrder: true);
        foreach (var vehicle in vehicles)
        {
            vehicle.EnumerateObject().Select(p => p.Name).ShouldBe(["name", "lat", "longitude", "timestamp", "speed"], ignoreOrder: true);
        }

        var truck = vehicles.Single(v => v.GetProperty("name").GetString() == "City Truck");
        truck.GetProperty("lat").GetDouble().ShouldBe(Reports.Of("City Truck", SeededGateway.ReportsEach - 1).Latitude);
        truck.GetProperty("speed").GetDouble().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task One_vehicle_by_name_and_an_unknown_one_is_a_404_problem()
    {
        var van = await _gateway.GetJsonAsync<JsonElement>("/api/vehicles/Village%20Van");
        van.GetProperty("name").GetString().ShouldBe("Village Van");
        van.GetProperty("timestamp").GetDateTimeOffset().ShouldBe(Reports.Of("Village Van", SeededGateway.ReportsEach - 1).Time);

        using var response = await _gateway.Http.GetAsync(new Uri("/api/vehicles/Nobody", UriKind.Relative));
        (await response.ShouldBeProblemAsync(HttpStatusCode.NotFound)).GetProperty("detail").GetString()!.ShouldContain("Nobody");
    }

    [Fact]
    public async Task The_original_history_route_gives_lat_and_lng_oldest_first()
    {
        var history = await _gateway.GetJsonAsync<JsonElement[]>("/api/history/City%20Truck");

        foreach (var point in history)
        {
            point.EnumerateObject().Select(property => property.Name).ShouldBe(["lat", "lng"]);
        }

        var published = Enumerable.Range(0, SeededGateway.ReportsEach).Select(step => Reports.Of("City Truck", step)).ToList();
        history.Select(p => p.GetProperty("lat").GetDouble()).ShouldBe(published.Select(r => r.Latitude));
        history.Select(p => p.GetProperty("lng").GetDouble()).ShouldBe(published.Select(r => r.Longitude));
    }

    [Fact]
    public async Task History_of_an_unknown_vehicle_is_a_404_problem_on_both_routes()
    {
        foreach (var path in new[] { "/api/history/Nobody", "/api/vehicles/Nobody/history" })
        {
            using var response = await _gateway.Http.GetAsync(new Uri(path, UriKind.Relative));
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", path);
        }
    }

    [Fact]
    public async Task The_richer_history_passes_its_parameters_and_the_trackers_answers_through()
    {
        var all = await _gateway.GetJsonAsync<JsonElement[]>("/api/vehicles/Bus%207/history");
        all.Length.ShouldBe(SeededGateway.ReportsEach);
        all[0].EnumerateObject().Select(p => p.Name).ShouldBe(["lat", "lng", "time", "speed", "heading"], ignoreOrder: true);

        var last2 = await _gateway.GetJsonAsync<JsonElement[]>("/api/vehicles/Bus%207/history?limit=2");
        last2.Select(p => p.GetProperty("time").GetDateTimeOffset()).ShouldBe(all[^2..].Select(p => p.GetProperty("time").GetDateTimeOffset()));

        var from = Uri.EscapeDataString(Reports.Start.AddSeconds(1).ToString("O"));
        var to = Uri.EscapeDataString(Reports.Start.AddSeconds(2).ToString("O"));
        (await _gateway.GetJsonAsync<JsonElement[]>($"/api/vehicles/Bus%207/history?from={from}&to={to}")).Length.ShouldBe(2);

        using var bad = await _gateway.Http.GetAsync(new Uri("/api/vehicles/Bus%207/history?limit=lots", UriKind.Relative));
        await bad.ShouldBeBadRequestNamingAsync("limit");
    }

    [Fact]
    public async Task The_fleets_history_for_a_replay_passes_its_window_and_the_trackers_answers_through()
    {
        var from = Uri.EscapeDataString(Reports.Start.ToString("O"));
        var to = Uri.EscapeDataString(Reports.Start.AddSeconds(1).ToString("O"));

        var window = await _gateway.GetJsonAsync<JsonElement[]>($"/api/history?from={from}&to={to}&limit=1000");
        window.ShouldNotBeEmpty();
        window.Select(p => p.GetProperty("time").GetDateTimeOffset()).ShouldBeInOrder(SortDirection.Ascending);
        window.Select(p => p.GetProperty("name").GetString()).Distinct().Count().ShouldBeGreaterThan(1, "every vehicle's positions");

        using var bad = await _gateway.Http.GetAsync(new Uri($"/api/history?from={from}", UriKind.Relative));
        await bad.ShouldBeBadRequestNamingAsync("to");
    }

    [Fact]
    public async Task The_fleet_summary_comes_from_the_tracker()
    {
        var summary = await _gateway.GetJsonAsync<JsonElement>("/api/fleet/summary");

        summary.GetProperty("vehicles").GetInt32().ShouldBe(SeededGateway.Vehicles.Length);
        summary.GetProperty("newestReport").GetDateTimeOffset().ShouldBe(Reports.Start.AddSeconds(SeededGateway.ReportsEach - 1));
    }

    [Fact]
    public async Task An_openapi_document_describes_the_routes()
    {
        var document = await _gateway.GetJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldBe(["/api/vehicles", "/api/vehicles/{name}", "/api/vehicles/{name}/history", "/api/history", "/api/history/{name}", "/api/fleet/summary", "/api/events", "/api/geofences", "/api/geofences/{name}"], ignoreOrder: true);
        var list = document.GetProperty("paths").GetProperty("/api/vehicles").GetProperty("get").GetProperty("responses");
        list.TryGetProperty("200", out _).ShouldBeTrue();
        list.TryGetProperty("503", out _).ShouldBeTrue();
    }
}
