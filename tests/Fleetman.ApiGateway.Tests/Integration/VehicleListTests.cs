using System.IO.Compression;
using System.Net.Http.Headers;
using Fleetman.LatestPositions;
using Fleetman.PositionTracker;
using StackExchange.Redis;

namespace Fleetman.ApiGateway.Tests.Integration;

/// <summary>
/// <c>GET /api/vehicles/</c> from the api-gateway's memory: the tracker and the api-gateway hosted in-process over this
/// run's Redis, whose latest positions the test writes itself (as the queue-consumer would, without its notification).
/// </summary>
public sealed class VehicleListTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Noon = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds());
    private static readonly Uri List = new("/api/vehicles/", UriKind.Relative);

    private IsolatedRun _run = null!;
    private ConnectionMultiplexer _redis = null!;
    private LatestPositionCache _latest = null!;
    private InProcessService<TrackerOptions> _tracker = null!;
    private InProcessService<TrackerClientOptions> _gateway = null!;

    public async Task InitializeAsync()
    {
        _run = await IsolatedRun.StartAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(_run.RedisConnectionString);
        _latest = new LatestPositionCache(new RedisConnection(_redis), _run.RedisPrefix);
        await _latest.UpdateAsync(
        [
            new VehiclePosition("City Truck", 53.38, -1.47, Noon, 23.4, 181.2),
            new VehiclePosition("Café <&> 'Bus' \"7\" ñ 日本", -33.8688, 151.2093, Noon.AddMilliseconds(500), null, null),
            new VehiclePosition("Van 1", 0.1 + 0.2, -0.0, Noon.ToOffset(TimeSpan.FromHours(1)), 0, 359.99999999999994),
        ]);
        _tracker = await _run.HostAsync<TrackerOptions>();
        _gateway = await _run.HostAsync<TrackerClientOptions>(LiveTracker.GatewaySettings(_tracker.Address, new Dictionary<string, string?>
        {
            ["VehicleList__ResyncSeconds"] = "1",
        }));
    }

    public async Task DisposeAsync()
    {
        await _run.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task The_list_from_memory_is_the_trackers_answer_byte_for_byte_with_a_weak_etag_and_no_cache()
    {
        using var response = await FromMemoryAsync();
        using var tracker = await _tracker.Http.GetAsync(new Uri("/vehicles/", UriKind.Relative));

        (await response.Content.ReadAsByteArrayAsync()).ShouldBe(await tracker.Content.ReadAsByteArrayAsync());
        response.Content.Headers.ContentType.ShouldBe(tracker.Content.Headers.ContentType);
        response.Headers.ETag!.IsWeak.ShouldBeTrue();
        response.Headers.CacheControl!.NoCache.ShouldBeTrue();
        response.Headers.Contains("X-Fleetman-Fallback").ShouldBeFalse();
    }

    [Fact]
    public async Task An_unchanged_list_is_a_304_with_no_body_and_a_changed_one_a_200_with_a_new_etag()
    {
        using var first = await FromMemoryAsync();
        var etag = first.Headers.ETag!;

        using (var unchanged = await GetAsync(etag, new EntityTagHeaderValue("\"something-else\"")))
        {
            unchanged.StatusCode.ShouldBe(HttpStatusCode.NotModified);
            (await unchanged.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
            unchanged.Headers.ETag.ShouldBe(etag);
            unchanged.Headers.CacheControl!.NoCache.ShouldBeTrue();
        }

        // The strong form of the same tag matches too: If-None-Match compares weakly.
        using (var strong = await GetAsync(new EntityTagHeaderValue(etag.Tag)))
        {
            strong.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        }

        // Written to Redis with no notification on the topic: the next read of Redis brings it.
        await _latest.UpdateAsync([new VehiclePosition("City Truck", 53.5, -1.5, Noon.AddSeconds(1), 30, 90)]);
        using (var changed = await ChangedSinceAsync(etag))
        {
            changed.Headers.ETag.ShouldNotBe(etag);
            using var document = JsonDocument.Parse(await changed.Content.ReadAsStringAsync());
            document.RootElement.EnumerateArray().Single(v => v.GetProperty("name").GetString() == "City Truck")
                .GetProperty("lat").GetDouble().ShouldBe(53.5);
        }
    }

    [Fact]
    public async Task A_vehicle_retired_in_redis_without_a_removal_message_leaves_the_list_at_the_next_read_with_a_new_etag()
    {
        using var first = await FromMemoryAsync();
        var etag = first.Headers.ETag!;

        // Retired as the queue-consumer retires it, with no message on the removals topic (as if this replica missed it).
        (await _latest.RetireAsync(["Van 1"], Noon.AddSeconds(1))).ShouldBe(["Van 1"]);

        using (var changed = await ChangedSinceAsync(etag))
        {
            changed.Headers.ETag.ShouldNotBe(etag);
            using var document = JsonDocument.Parse(await changed.Content.ReadAsStringAsync());
            document.RootElement.EnumerateArray().Select(v => v.GetProperty("name").GetString())
                .ShouldBe(["Café <&> 'Bus' \"7\" ñ 日本", "City Truck"]);
        }
    }

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip;q=1, br;q=0.5", "br")]
    [InlineData("br;q=0, gzip", "gzip")]
    public async Task The_list_comes_compressed_once_per_change_as_the_client_accepts_and_decompresses_to_the_same_bytes(string accepted, string expected)
    {
        using var plain = await FromMemoryAsync();
        var json = await plain.Content.ReadAsByteArrayAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, List);
        request.Headers.AcceptEncoding.ParseAdd(accepted);
        using var response = await _gateway.Http.SendAsync(request);

        response.Content.Headers.ContentEncoding.ShouldBe([expected]);
        response.Headers.Vary.ShouldContain("Accept-Encoding");
        plain.Headers.Vary.ShouldContain("Accept-Encoding");
        var wire = await response.Content.ReadAsByteArrayAsync();
        wire.Length.ShouldBeLessThan(json.Length);
        using var input = new MemoryStream(wire);
        using Stream decompressor = expected == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        await decompressor.CopyToAsync(output);
        output.ToArray().ShouldBe(json);
    }

    /// <summary>The list once the gateway has read Redis (until then the tracker's answer passes through, without an ETag).</summary>
    private async Task<HttpResponseMessage> FromMemoryAsync()
    {
        HttpResponseMessage? response = null;
        await Eventually.Until(
            () =>
            {
                response?.Dispose();
                response = _gateway.Http.GetAsync(List).GetAwaiter().GetResult();
                return response.StatusCode == HttpStatusCode.OK && response.Headers.ETag is not null;
            },
            TimeSpan.FromSeconds(30), () => $"no list from memory: {response?.StatusCode}");
        return response!;
    }

    /// <summary>The list once it is no longer the one tagged <paramref name="etag"/> (a read of Redis brought the change).</summary>
    private async Task<HttpResponseMessage> ChangedSinceAsync(EntityTagHeaderValue etag)
    {
        HttpResponseMessage? changed = null;
        await Eventually.Until(
            () =>
            {
                changed?.Dispose();
                changed = GetAsync(etag).GetAwaiter().GetResult();
                return changed.StatusCode == HttpStatusCode.OK;
            },
            TimeSpan.FromSeconds(30), () => $"still {changed?.StatusCode} for the old ETag");
        return changed!;
    }

    private async Task<HttpResponseMessage> GetAsync(params EntityTagHeaderValue[] ifNoneMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, List);
        foreach (var tag in ifNoneMatch)
        {
            request.Headers.IfNoneMatch.Add(tag);
        }

        return await _gateway.Http.SendAsync(request);
    }
}
