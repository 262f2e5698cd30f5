using System.Net.Http.Headers;

namespace Fleetman.PositionSimulator.Tests.Integration;

/// <summary><c>GET /simulator/streets</c> on the simulator hosted in-process (the in-memory transport: nothing is published).</summary>
public sealed class StreetsEndpointTests : IAsyncLifetime
{
    private InProcessService<SimulatorOptions> _simulator = null!;

    public async Task InitializeAsync() => _simulator = await InProcessService.StartAsync<SimulatorOptions>(new Dictionary<string, string?>
    {
        ["Messaging__Transport"] = "InMemory",
        ["Simulator__AutoStart"] = "false",
    });

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task The_streets_are_geojson_anyone_may_read_cached_for_a_minute_and_a_304_while_the_etag_still_matches()
    {
        using var response = await _simulator.Http.GetAsync(new Uri("/simulator/streets", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, "public: no credentials needed");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/geo+json");
        response.Headers.CacheControl!.Public.ShouldBeTrue();
        response.Headers.CacheControl.MaxAge.ShouldBe(TimeSpan.FromMinutes(1));
        var etag = response.Headers.ETag.ShouldNotBeNull();
        etag.IsWeak.ShouldBeFalse();
        (await response.Content.ReadAsByteArrayAsync()).Length.ShouldBeInRange(1_000, 1_500_000);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/simulator/streets");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await _simulator.Http.SendAsync(again);
        notModified.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        (await notModified.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
        notModified.Headers.ETag.ShouldBe(etag);

        using var stale = new HttpRequestMessage(HttpMethod.Get, "/simulator/streets");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"something-else\""));
        (await _simulator.Http.SendAsync(stale)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_fleet_that_grows_into_more_towns_gets_a_new_drawing_with_a_new_etag()
    {
        using var before = await _simulator.Http.GetAsync(new Uri("/simulator/streets", UriKind.Relative));
        var small = await before.Content.ReadAsByteArrayAsync();

        _simulator.Services.GetRequiredService<Simulator>().Apply(new SimulatorSettings(1_000, null, null));

        using var after = await _simulator.Http.GetAsync(new Uri("/simulator/streets", UriKind.Relative));
        after.Headers.ETag.ShouldNotBe(before.Headers.ETag);
        (await after.Content.ReadAsByteArrayAsync()).Length.ShouldBeGreaterThan(small.Length * 2);
    }

    [Fact]
    public async Task Only_get_is_answered()
    {
        using var response = await _simulator.Http.PostAsync(new Uri("/simulator/streets", UriKind.Relative), null);

        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
    }
}
