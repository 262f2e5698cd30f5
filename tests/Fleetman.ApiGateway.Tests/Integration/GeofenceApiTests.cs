using System.Net.Sockets;
using Fleetman.PositionTracker;

namespace Fleetman.ApiGateway.Tests.Integration;

/// <summary>
/// The geofence routes through the api-gateway, hosted in-process with the tracker behind it; both check the same
/// admin password, as in every deployment.
/// </summary>
public sealed class GeofenceApiTests : IAsyncLifetime
{
    private const string AdminPassword = "geofence-admin-password";
    private const string Triangle = """{"ring":[[53.38,-1.471],[53.38,-1.469],[53.382,-1.469]]}""";
    private IsolatedRun _run = null!;
    private InProcessService<TrackerOptions> _tracker = null!;
    private InProcessService<TrackerClientOptions> _gateway = null!;

    public async Task InitializeAsync()
    {
        _run = await IsolatedRun.StartAsync();
        _tracker = await _run.HostAsync<TrackerOptions>(new Dictionary<string, string?> { ["Admin__Password"] = AdminPassword });
        _gateway = await _run.HostAsync<TrackerClientOptions>(LiveTracker.GatewaySettings(_tracker.Address, new Dictionary<string, string?>
        {
            ["Admin__Password"] = AdminPassword,
        }));
    }

    public async Task DisposeAsync() => await _run.DisposeAsync();

    [Fact]
    public async Task The_admin_stores_reads_and_deletes_a_geofence_at_the_tracker_through_the_api_gateway()
    {
        using var created = await SendAsync(_gateway, HttpMethod.Put, "/api/geofences/Old%20Town", Triangle, AdminPassword);
        created.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString().ShouldBe("Old Town");

        using (var atTracker = JsonDocument.Parse(await _tracker.Http.GetStringAsync(new Uri("/geofences", UriKind.Relative))))
        {
            atTracker.RootElement.EnumerateArray().ShouldHaveSingleItem().GetProperty("name").GetString().ShouldBe("Old Town");
        }

        var listed = await _gateway.GetJsonAsync<JsonElement>("/api/geofences");
        listed.EnumerateArray().ShouldHaveSingleItem().GetProperty("ring").GetArrayLength().ShouldBe(3);
        var one = await _gateway.GetJsonAsync<JsonElement>("/api/geofences/Old%20Town");
        one.GetProperty("ring")[2].EnumerateArray().Select(c => c.GetDouble()).ShouldBe([53.382, -1.469]);

        using var deleted = await SendAsync(_gateway, HttpMethod.Delete, "/api/geofences/Old%20Town", null, AdminPassword);
        deleted.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        using var again = await SendAsync(_gateway, HttpMethod.Delete, "/api/geofences/Old%20Town", null, AdminPassword);
        await again.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        using var gone = await _gateway.Http.GetAsync(new Uri("/api/geofences/Old%20Town", UriKind.Relative));
        await gone.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Changing_a_geofence_without_the_admin_credentials_is_a_401_problem_at_the_api_gateway_and_changes_nothing()
    {
        using var anonymous = await SendAsync(_gateway, HttpMethod.Put, "/api/geofences/Depot", Triangle, null);
        using var wrong = await SendAsync(_gateway, HttpMethod.Put, "/api/geofences/Depot", Triangle, "not-the-password");
        using var anonymousDelete = await SendAsync(_gateway, HttpMethod.Delete, "/api/geofences/Depot", null, null);

        var problem = await anonymous.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        problem.GetProperty("detail").GetString().ShouldBe("This route needs the admin user's credentials (HTTP Basic).");
        anonymous.Headers.WwwAuthenticate.ToString().ShouldContain("Basic");
        await wrong.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await anonymousDelete.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        (await _tracker.GetJsonAsync<JsonElement>("/geofences")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task A_ring_that_is_not_a_polygon_gets_the_trackers_400_problem_through_the_api_gateway()
    {
        using var response = await SendAsync(_gateway, HttpMethod.Put, "/api/geofences/Line", """{"ring":[[53.38,-1.471],[53.38,-1.469]]}""", AdminPassword);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty("ring")[0].GetString().ShouldBe("geofence 'Line' needs a ring of 3 to 1000 [latitude, longitude] points.");
        (await _tracker.GetJsonAsync<JsonElement>("/geofences")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task With_the_tracker_down_the_geofence_routes_are_a_503_problem_and_still_refuse_anonymous_changes()
    {
        var gateway = await _run.HostAsync<TrackerClientOptions>(new Dictionary<string, string?>
        {
            ["Tracker__BaseAddress"] = $"http://127.0.0.1:{BrokerInstance.FreePort()}/",
            ["Admin__Password"] = AdminPassword,
        });

        using var list = await gateway.Http.GetAsync(new Uri("/api/geofences", UriKind.Relative));
        using var save = await SendAsync(gateway, HttpMethod.Put, "/api/geofences/Depot", Triangle, AdminPassword);
        using var anonymous = await SendAsync(gateway, HttpMethod.Put, "/api/geofences/Depot", Triangle, null);

        (await list.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable)).GetProperty("title").GetString().ShouldBe("The position tracker is unavailable");
        await save.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        save.Headers.RetryAfter.ShouldNotBeNull();
        // Refused before the tracker is asked: the api-gateway checks the credentials itself.
        await anonymous.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_tracker_that_takes_connections_but_never_answers_is_a_503_problem_after_the_default_timeouts()
    {
        // The gateway's own budget (attempt, retry, total), as every deployment has it: only the address is set.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var gateway = await _run.HostAsync<TrackerClientOptions>(new Dictionary<string, string?>
        {
            ["Tracker__BaseAddress"] = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/",
            ["Admin__Password"] = AdminPassword,
        });

        using var save = await SendAsync(gateway, HttpMethod.Put, "/api/geofences/Depot", Triangle, AdminPassword);

        (await save.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable)).GetProperty("title").GetString().ShouldBe("The position tracker is unavailable");
        save.Headers.RetryAfter.ShouldNotBeNull();
        gateway.Logs.GetSnapshot().ShouldContain(line => line.Message.Contains("The position tracker is unavailable", StringComparison.Ordinal)
            && line.Message.Contains("timeout", StringComparison.Ordinal));
    }

    private static Task<HttpResponseMessage> SendAsync<TMarker>(InProcessService<TMarker> service, HttpMethod method, string path, string? json, string? password)
        where TMarker : class =>
        service.Http.SendAsAdminAsync(method, path, json, password);
}
