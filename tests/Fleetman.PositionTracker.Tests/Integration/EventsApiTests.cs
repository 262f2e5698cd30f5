namespace Fleetman.PositionTracker.Tests.Integration;

/// <summary>The tracker's fleet event and geofence routes, hosted in-process over a seeded SQLite file and the real Redis.</summary>
public sealed class EventsApiTests : IAsyncLifetime
{
    private const string AdminPassword = "events-admin-password";
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetman-events-" + Guid.NewGuid().ToString("N")[..8]);
    private InProcessService<TrackerOptions> _tracker = null!;
    private string _database = null!;

    public async Task InitializeAsync()
    {
        var broker = BrokerInstance.Shared();
        Directory.CreateDirectory(_folder);
        _database = Path.Combine(_folder, "positions.db");
        using var store = new SqlitePositionStore(_database);
        await store.InitializeAsync(default);
        await store.AddEventsAsync(
            [
                Event("Van", FleetEventKind.OverspeedStarted, 10),
                Event("Van", FleetEventKind.OverspeedEnded, 30),
                Event("Truck", FleetEventKind.GeofenceEntered, 20, "Depot"),
            ],
            default);
        _tracker = await InProcessService.StartAsync<TrackerOptions>(new Dictionary<string, string?>
        {
            ["ConnectionStrings__Redis"] = await broker.RedisConnectionStringAsync(),
            ["LatestPositions__KeyPrefix"] = $"test:{Guid.NewGuid():N}",
            ["Store__SqlitePath"] = _database,
            ["Admin__Password"] = AdminPassword,
        });
    }

    public async Task DisposeAsync()
    {
        await _tracker.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Events_are_served_newest_first_from_since_with_kinds_by_their_json_names()
    {
        using var all = JsonDocument.Parse(await _tracker.Http.GetStringAsync(new Uri("/events", UriKind.Relative)));
        using var since = JsonDocument.Parse(await _tracker.Http.GetStringAsync(new Uri("/events?since=2026-11-22T12:00:20Z&limit=1", UriKind.Relative)));

        all.RootElement.EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ShouldBe(["overspeed_ended", "geofence_entered", "overspeed_started"]);
        var first = all.RootElement[1];
        (first.GetProperty("vehicle").GetString(), first.GetProperty("geofence").GetString(), first.GetProperty("lat").GetDouble()).ShouldBe(("Truck", "Depot", 53.38));
        first.GetProperty("id").GetString().ShouldBe(FleetEvent.IdOf("Truck", FleetEventKind.GeofenceEntered, "Depot", T0.AddSeconds(20)));
        since.RootElement.EnumerateArray().ShouldHaveSingleItem().GetProperty("kind").GetString().ShouldBe("overspeed_ended");
    }

    [Fact]
    public async Task Geofences_are_created_listed_read_and_deleted_by_the_admin_and_stored_for_the_consumers()
    {
        using var created = await SendAsync(HttpMethod.Put, "/geofences/Depot", """{"ring":[[53.38,-1.471],[53.38,-1.469],[53.382,-1.469]]}""", AdminPassword);
        created.StatusCode.ShouldBe(HttpStatusCode.OK);

        using (var listed = JsonDocument.Parse(await _tracker.Http.GetStringAsync(new Uri("/geofences", UriKind.Relative))))
        {
            var depot = listed.RootElement.EnumerateArray().ShouldHaveSingleItem();
            depot.GetProperty("name").GetString().ShouldBe("Depot");
            depot.GetProperty("ring").GetArrayLength().ShouldBe(3);
        }

        (await StoredGeofencesAsync()).ShouldHaveSingleItem().Ring[2].ShouldBe([53.382, -1.469]);
        using (var one = JsonDocument.Parse(await _tracker.Http.GetStringAsync(new Uri("/geofences/Depot", UriKind.Relative))))
        {
            one.RootElement.GetProperty("ring")[0].EnumerateArray().Select(c => c.GetDouble()).ShouldBe([53.38, -1.471]);
        }

        using var deleted = await SendAsync(HttpMethod.Delete, "/geofences/Depot", null, AdminPassword);
        deleted.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        using var again = await SendAsync(HttpMethod.Delete, "/geofences/Depot", null, AdminPassword);
        again.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var gone = await _tracker.Http.GetAsync(new Uri("/geofences/Depot", UriKind.Relative));
        await gone.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await StoredGeofencesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Changing_a_geofence_without_the_admin_credentials_is_refused_and_changes_nothing()
    {
        using var anonymous = await SendAsync(HttpMethod.Put, "/geofences/Depot", """{"ring":[[53.38,-1.471],[53.38,-1.469],[53.382,-1.469]]}""", null);
        using var wrong = await SendAsync(HttpMethod.Delete, "/geofences/Depot", null, "not-the-password");

        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        anonymous.Headers.WwwAuthenticate.ToString().ShouldContain("Basic");
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await StoredGeofencesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_ring_that_is_not_a_polygon_is_a_400_problem_saying_why()
    {
        using var response = await SendAsync(HttpMethod.Put, "/geofences/Line", """{"ring":[[53.38,-1.471],[53.38,-1.469]]}""", AdminPassword);

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("ring")[0].GetString()
            .ShouldBe("geofence 'Line' needs a ring of 3 to 1000 [latitude, longitude] points.");
    }

    private async Task<IReadOnlyList<Geofence>> StoredGeofencesAsync()
    {
        using var store = new SqlitePositionStore(_database);
        return await store.GetGeofencesAsync(default);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json, string? password) =>
        _tracker.Http.SendAsAdminAsync(method, path, json, password);

    private static FleetEvent Event(string vehicle, FleetEventKind kind, int second, string? geofence = null) =>
        new(FleetEvent.IdOf(vehicle, kind, geofence, T0.AddSeconds(second)), vehicle, kind, T0.AddSeconds(second), 53.38, -1.47, 60, geofence, geofence is null ? 50 : null);
}
