using Fleetman.LatestPositions;
using StackExchange.Redis;

namespace Fleetman.PositionTracker.Tests.Integration;

/// <summary>The tracker's REST API, hosted in-process over a seeded SQLite file and the real Redis.</summary>
public sealed class TrackerApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetman-tracker-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _prefix = $"test:{Guid.NewGuid():N}";
    private InProcessService<TrackerOptions> _tracker = null!;
    private Dictionary<string, string?> _environment = null!;

    public async Task InitializeAsync()
    {
        var broker = BrokerInstance.Shared();
        var redisConnection = await broker.RedisConnectionStringAsync();
        Directory.CreateDirectory(_folder);
        var database = Path.Combine(_folder, "positions.db");

        // Two vehicles: a van with a history of 5 reports (the last one moving), a bus heard from long ago.
        var van = Enumerable.Range(0, 5).Select(i => new VehiclePosition("City Van", 53.38 + (i * 1e-3), -1.47, Now.AddSeconds(-50 + (i * 10)), i == 0 ? null : 20 + i, 10)).ToList();
        var bus = new VehiclePosition("Old Bus", 53.40, -1.50, Now.AddHours(-1), 0, null);
        var store = new SqlitePositionStore(database);
        await store.InitializeAsync(default);
        await store.AppendAsync([.. van, bus], default);
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(redisConnection))
        {
            await new LatestPositionCache(new RedisConnection(redis), _prefix).UpdateAsync([van[^1], bus]);
        }

        _environment = new()
        {
            ["ConnectionStrings__Redis"] = redisConnection,
            ["LatestPositions__KeyPrefix"] = _prefix,
            ["Store__SqlitePath"] = database,
            ["Tracker__StaleAfterSeconds"] = "300",
        };
        _tracker = await InProcessService.StartAsync<TrackerOptions>(_environment);
    }

    public async Task DisposeAsync()
    {
        await _tracker.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Vehicles_lists_the_latest_position_of_each_vehicle_in_the_original_shape()
    {
        using var document = JsonDocument.Parse(await _tracker.Http.GetStringAsync(new Uri("/vehicles/", UriKind.Relative)));

        var vehicles = document.RootElement.EnumerateArray().ToList();
        vehicles.Select(v => v.GetProperty("name").GetString()).ShouldBe(["City Van", "Old Bus"]);
        var van = vehicles[0];
        van.EnumerateObject().Select(p => p.Name).ShouldBe(["name", "lat", "longitude", "timestamp", "speed"], ignoreOrder: true);
        van.GetProperty("lat").GetDouble().ShouldBe(53.384, 1e-9);
        van.GetProperty("speed").GetDouble().ShouldBe(24);
    }

    [Fact]
    public async Task One_vehicle_by_name_and_an_unknown_one_is_a_404_problem()
    {
        var van = await _tracker.GetJsonAsync<JsonElement>("/vehicles/City%20Van");
        van.GetProperty("name").GetString().ShouldBe("City Van");

        using var response = await _tracker.Http.GetAsync(new Uri("/vehicles/Nobody", UriKind.Relative));
        (await response.ShouldBeProblemAsync(HttpStatusCode.NotFound)).GetProperty("detail").GetString()!.ShouldContain("Nobody");
    }

    [Fact]
    public async Task The_original_history_route_is_newest_first_and_the_richer_one_oldest_first_with_bounds_and_limit()
    {
        var original = await _tracker.GetJsonAsync<JsonElement[]>("/history/City%20Van");
        original.Select(p => p.GetProperty("timestamp").GetDateTimeOffset()).ShouldBeInOrder(SortDirection.Descending);
        original.Length.ShouldBe(5);

        var all = await _tracker.GetJsonAsync<JsonElement[]>("/vehicles/City%20Van/history");
        all.Select(p => p.GetProperty("time").GetDateTimeOffset()).ShouldBeInOrder(SortDirection.Ascending);
        all[0].EnumerateObject().Select(p => p.Name).ShouldBe(["lat", "lng", "time", "speed", "heading"], ignoreOrder: true);

        var last2 = await _tracker.GetJsonAsync<JsonElement[]>("/vehicles/City%20Van/history?limit=2");
        last2.Select(p => p.GetProperty("time").GetDateTimeOffset()).ShouldBe(all[^2..].Select(p => p.GetProperty("time").GetDateTimeOffset()));

        var from = Uri.EscapeDataString(Now.AddSeconds(-35).ToString("O"));
        var to = Uri.EscapeDataString(Now.AddSeconds(-15).ToString("O"));
        (await _tracker.GetJsonAsync<JsonElement[]>($"/vehicles/City%20Van/history?from={from}&to={to}")).Length.ShouldBe(2);
    }

    [Theory]
    [InlineData("/vehicles/City%20Van/history?limit=0", "limit")]
    [InlineData("/vehicles/City%20Van/history?limit=lots", "limit")]
    [InlineData("/vehicles/City%20Van/history?from=yesterday", "from")]
    [InlineData("/vehicles/City%20Van/history?to=2026-13-45", "to")]
    [InlineData("/vehicles/City%20Van/history?from=2026-11-22T12:00:00Z&to=2026-11-22T11:00:00Z", "from")]
    [InlineData("/history", "from")] // a replay needs its window
    [InlineData("/history?from=2026-11-22T12:00:00Z", "to")]
    [InlineData("/history?to=2026-11-22T12:00:00Z", "from")]
    [InlineData("/history?from=2026-11-22T12:00:00Z&to=2026-11-22T11:00:00Z", "from")]
    [InlineData("/history?from=2026-11-22T11:00:00Z&to=2026-11-22T12:00:00Z&limit=0", "limit")]
    [InlineData("/events?since=yesterday", "since")]
    [InlineData("/events?limit=0", "limit")]
    [InlineData("/events?limit=1001", "limit")]
    public async Task Bad_history_and_event_parameters_are_a_400_problem_naming_the_parameter(string pathAndQuery, string parameter)
    {
        using var response = await _tracker.Http.GetAsync(new Uri(pathAndQuery, UriKind.Relative));

        await response.ShouldBeBadRequestNamingAsync(parameter);
    }

    [Fact]
    public async Task The_fleets_history_for_a_replay_is_every_vehicle_in_time_order_within_the_window_and_the_first_limit()
    {
        var from = Uri.EscapeDataString(Now.AddHours(-2).ToString("O"));
        var to = Uri.EscapeDataString(Now.ToString("O"));

        var all = await _tracker.GetJsonAsync<JsonElement[]>($"/history?from={from}&to={to}");
        all.Select(p => p.GetProperty("name").GetString()).ShouldBe(["Old Bus", "City Van", "City Van", "City Van", "City Van", "City Van"]);
        all.Select(p => p.GetProperty("time").GetDateTimeOffset()).ShouldBeInOrder(SortDirection.Ascending);
        all[0].EnumerateObject().Select(p => p.Name).ShouldBe(["name", "lat", "lng", "time", "speed", "heading"], ignoreOrder: true);

        var first2 = await _tracker.GetJsonAsync<JsonElement[]>($"/history?from={from}&to={to}&limit=2");
        first2.Select(p => p.GetProperty("time").GetDateTimeOffset()).ShouldBe(all[..2].Select(p => p.GetProperty("time").GetDateTimeOffset()));

        var recent = Uri.EscapeDataString(Now.AddMinutes(-1).ToString("O"));
        (await _tracker.GetJsonAsync<JsonElement[]>($"/history?from={recent}&to={to}")).Length.ShouldBe(5, "the bus reported an hour ago");
    }

    [Fact]
    public async Task History_of_an_unknown_vehicle_is_a_404_problem_on_both_routes()
    {
        (await _tracker.Http.GetAsync(new Uri("/history/Nobody", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _tracker.Http.GetAsync(new Uri("/vehicles/Nobody/history", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_fleet_summary_counts_vehicles_moving_and_stale()
    {
        var summary = await _tracker.GetJsonAsync<JsonElement>("/fleet/summary");

        summary.GetProperty("vehicles").GetInt32().ShouldBe(2);
        summary.GetProperty("moving").GetInt32().ShouldBe(1);
        summary.GetProperty("stale").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task An_openapi_document_describes_the_routes()
    {
        var document = await _tracker.GetJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/vehicles"); // served with and without the trailing slash the original client uses
        paths.ShouldContain("/history/{name}");
        paths.ShouldContain("/history");
        paths.ShouldContain("/vehicles/{name}/history");
        paths.ShouldContain("/fleet/summary");
    }

    [Fact]
    public async Task With_redis_unreachable_the_latest_positions_come_from_the_store_and_say_so_without_vehicles_silent_for_the_retention()
    {
        var environment = new Dictionary<string, string?>(_environment)
        {
            ["ConnectionStrings__Redis"] = $"127.0.0.1:{BrokerInstance.FreePort()},connectTimeout=200",
        };
        await using var tracker = await InProcessService.StartAsync<TrackerOptions>(environment);

        using var response = await tracker.Http.GetAsync(new Uri("/vehicles/", UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("X-Fleetman-Source").ShouldBe(["store"]);
        // The bus last reported an hour before the van: out of the fleet (LatestPositions:Retention, 5 minutes).
        (await response.Content.ReadFromJsonAsync<JsonElement[]>())!.Select(v => v.GetProperty("name").GetString()).ShouldBe(["City Van"]);
        (await tracker.Http.GetAsync(new Uri("/healthz/ready", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
    }
}
