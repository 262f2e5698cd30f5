using Fleetman.Contracts;
using Fleetman.LatestPositions;
using Fleetman.Testing;
using StackExchange.Redis;

namespace Fleetman.QueueConsumer.Tests.Integration;

/// <summary>Against the real Redis started by scripts/infra.sh; each test uses its own key prefix.</summary>
public sealed class LatestPositionCacheTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private ConnectionMultiplexer _redis = null!;
    private LatestPositionCache _cache = null!;

    public async Task InitializeAsync()
    {
        _redis = await ConnectionMultiplexer.ConnectAsync(await BrokerInstance.Shared().RedisConnectionStringAsync());
        _cache = new LatestPositionCache(_redis, $"test:{Guid.NewGuid():N}");
    }

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task The_newest_report_wins_even_when_an_older_one_arrives_later()
    {
        var newer = new VehiclePosition("Van", 53.2, -1.2, Start.AddSeconds(10), 30, 90);
        var older = new VehiclePosition("Van", 53.1, -1.1, Start, 20, 45);

        (await _cache.UpdateAsync([newer])).ShouldBe(1);
        (await _cache.UpdateAsync([older])).ShouldBe(0);

        (await _cache.GetAsync("Van")).ShouldBe(newer);
    }

    [Fact]
    public async Task The_same_report_twice_changes_nothing_the_second_time()
    {
        var position = new VehiclePosition("Van", 53.2, -1.2, Start, null, null);

        (await _cache.UpdateAsync([position])).ShouldBe(1);
        (await _cache.UpdateAsync([position])).ShouldBe(0);
    }

    [Fact]
    public async Task All_vehicles_come_back_ordered_by_name_and_unknown_ones_are_null()
    {
        await _cache.UpdateAsync([new("Van", 1, 1, Start, null, null), new("Bus", 2, 2, Start, 5, 10), new("Ambulance", 3, 3, Start, 1, 1)]);

        (await _cache.GetAllAsync()).Select(p => p.Vehicle).ShouldBe(["Ambulance", "Bus", "Van"]);
        (await _cache.GetAsync("Tram")).ShouldBeNull();
    }

    [Fact]
    public async Task Concurrent_writers_leave_the_newest_of_all()
    {
        var reports = Enumerable.Range(0, 200).Select(i => new VehiclePosition("Van", 53 + (i * 1e-4), -1, Start.AddSeconds(i), i, 0)).ToList();

        await Task.WhenAll(reports.OrderBy(_ => Random.Shared.Next()).Chunk(10).Select(chunk => _cache.UpdateAsync(chunk)));

        (await _cache.GetAsync("Van"))!.Time.ShouldBe(Start.AddSeconds(199));
    }
}
