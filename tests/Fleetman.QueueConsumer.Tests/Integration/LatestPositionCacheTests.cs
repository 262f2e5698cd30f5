using StackExchange.Redis;

namespace Fleetman.QueueConsumer.Tests.Integration;

/// <summary>Against the real Redis started by scripts/infra.sh; each test uses its own key prefix.</summary>
public sealed class LatestPositionCacheTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(5);

    /// <summary>The vehicle the outage tests store before they break Redis, and read back once it is whole again.</summary>
    private static readonly VehiclePosition Van = new("Van", 53.2, -1.2, Start, 30, 90);
    private readonly FakeTimeProvider _clock = new(Start);
    private ConnectionMultiplexer _redis = null!;
    private LatestPositionCache _cache = null!;

    public async Task InitializeAsync()
    {
        _redis = await ConnectionMultiplexer.ConnectAsync(await BrokerInstance.Shared().RedisConnectionStringAsync());
        _cache = CacheOver(_redis);
    }

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Calls_while_redis_drops_its_connections_either_succeed_or_fail_as_unavailable_and_work_again_after()
    {
        await using var dropping = await HungRedis.ConnectAsync();
        var cache = CacheOver(dropping.Client);
        await cache.UpdateAsync([Van]);

        // Commands in flight when the connection is reset under them: whatever the client library throws for a reply
        // it was reading (a connection exception, an abandoned task, a completed pipe), each caller sees either an
        // answer or the one exception it handles as "Redis is down", never another that would stop a service.
        var unexpected = new global::System.Collections.Concurrent.ConcurrentBag<string>();
        var unavailable = 0;
        for (var round = 0; round < 60; round++)
        {
            var calls = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                try
                {
                    _ = (i % 4) switch
                    {
                        0 => (object)await cache.UpdateAsync([Van with { Time = Start.AddSeconds((round * 8) + i + 1) }]),
                        1 => await cache.GetAllAsync(),
                        2 => await cache.SweepAsync(Retention),
                        _ => (object?)await cache.GetAsync("Van") ?? "none",
                    };
                }
                catch (LatestPositionsUnavailableException)
                {
                    Interlocked.Increment(ref unavailable);
                }
                catch (Exception ex)
                {
                    unexpected.Add($"{ex.GetType().Name}: {ex.Message}");
                }
            })).ToList();
            dropping.Proxy.Reset();
            await Task.WhenAll(calls);
        }

        unexpected.ShouldBeEmpty();
        unavailable.ShouldBeGreaterThan(0, "some calls were under way when their connection was reset");
        await UntilTheVanIsReadAsync(cache, "the client reconnected to Redis but the cache did not answer");
    }

    [Fact]
    public async Task Every_call_to_a_redis_that_stops_answering_fails_as_unavailable_and_works_again_once_it_answers()
    {
        await using var hung = await HungRedis.ConnectAsync();
        var cache = CacheOver(hung.Client);
        await cache.UpdateAsync([Van]);

        hung.Proxy.Freeze();

        // Whatever the client library throws for a command nobody answers (a timeout, an abandoned task, a lost
        // connection), every caller sees the one exception it handles as "Redis is down".
        Func<Task>[] calls =
        [
            () => cache.UpdateAsync([Van with { Time = Start.AddSeconds(1) }]),
            () => cache.RetireAsync(["Van"], Start),
            () => cache.SweepAsync(Retention),
            () => cache.GetAllAsync(),
            () => cache.GetAsync("Van"),
        ];
        foreach (var call in calls)
        {
            var failure = await Should.ThrowAsync<LatestPositionsUnavailableException>(call);
            failure.Message.ShouldContain("Redis");
        }

        hung.Proxy.Thaw();
        await UntilTheVanIsReadAsync(cache, "Redis answered again but the cache did not");
    }

    /// <summary>A cache over <paramref name="redis"/> on a key prefix of its own, so that tests never see each other's vehicles.</summary>
    private LatestPositionCache CacheOver(IConnectionMultiplexer redis) => new(new RedisConnection(redis), $"test:{Guid.NewGuid():N}", _clock);

    /// <summary>Waits until <paramref name="cache"/> reads the vehicle "Van" again, Redis unavailable meanwhile.</summary>
    private static Task UntilTheVanIsReadAsync(LatestPositionCache cache, string otherwise) =>
        Eventually.Until(
            async () =>
            {
                try
                {
                    return (await cache.GetAsync("Van"))?.Vehicle == "Van";
                }
                catch (LatestPositionsUnavailableException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(30),
            () => Task.FromResult(otherwise));

    [Fact]
    public async Task The_newest_report_wins_even_when_an_older_one_arrives_later()
    {
        var newer = new VehiclePosition("Van", 53.2, -1.2, Start.AddSeconds(10), 30, 90);
        var older = new VehiclePosition("Van", 53.1, -1.1, Start, 20, 45);

        (await _cache.UpdateAsync([newer])).Updated.ShouldBe(1);
        (await _cache.UpdateAsync([older])).Updated.ShouldBe(0);

        (await _cache.GetAsync("Van")).ShouldBe(newer);
    }

    [Fact]
    public async Task The_same_report_twice_changes_nothing_the_second_time()
    {
        var position = new VehiclePosition("Van", 53.2, -1.2, Start, null, null);

        (await _cache.UpdateAsync([position])).Updated.ShouldBe(1);
        (await _cache.UpdateAsync([position])).Updated.ShouldBe(0);
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

    [Fact]
    public async Task A_retired_vehicle_is_gone_and_its_reports_from_before_the_retirement_do_not_bring_it_back_but_a_later_one_does()
    {
        await _cache.UpdateAsync([new("Van", 1, 1, Start, null, null), new("Bus", 2, 2, Start, null, null)]);

        (await _cache.RetireAsync(["Van"], Start.AddSeconds(10))).ShouldBe(["Van"]);
        (await _cache.GetAllAsync()).Select(p => p.Vehicle).ShouldBe(["Bus"]);
        (await _cache.GetAsync("Van")).ShouldBeNull();

        // Still queued when it left: refused, and said so (the consumer then does not announce it).
        var late = await _cache.UpdateAsync([new("Van", 1.1, 1, Start.AddSeconds(10), 5, 0)]);
        late.Updated.ShouldBe(0);
        late.Retired.ShouldBe(["Van"]);
        (await _cache.GetAsync("Van")).ShouldBeNull();

        // Driving again after it left: back in the fleet.
        (await _cache.UpdateAsync([new("Van", 1.2, 1, Start.AddSeconds(11), 5, 0)])).Updated.ShouldBe(1);
        (await _cache.GetAsync("Van"))!.Time.ShouldBe(Start.AddSeconds(11));
    }

    [Fact]
    public async Task A_retirement_redelivered_names_the_vehicles_again_and_one_that_reported_after_it_stays()
    {
        await _cache.UpdateAsync([new("Van", 1, 1, Start, null, null), new("Tram", 3, 3, Start.AddSeconds(20), null, null)]);

        (await _cache.RetireAsync(["Van", "Tram", "Never Seen"], Start.AddSeconds(10))).ShouldBe(["Van", "Never Seen"]);
        (await _cache.RetireAsync(["Van", "Tram", "Never Seen"], Start.AddSeconds(10))).ShouldBe(["Van", "Never Seen"]);

        (await _cache.GetAllAsync()).Select(p => p.Vehicle).ShouldBe(["Tram"]);
    }

    [Fact]
    public async Task A_sweep_removes_only_the_vehicles_not_heard_from_for_the_retention_by_this_clock_whatever_their_report_times()
    {
        // Report times in the past (a replayed track) do not matter: when each was last heard from does.
        await _cache.UpdateAsync([new("Van", 1, 1, Start.AddDays(-1), null, null), new("Bus", 2, 2, Start.AddDays(-1), null, null)]);
        _clock.Advance(TimeSpan.FromMinutes(4));
        await _cache.UpdateAsync([new("Bus", 2, 2, Start.AddDays(-1).AddSeconds(1), null, null)]);

        (await _cache.SweepAsync(Retention)).ShouldBeEmpty("nobody silent for 5 minutes yet");
        _clock.Advance(TimeSpan.FromMinutes(1.5));

        (await _cache.SweepAsync(Retention)).ShouldBe(["Van"]);
        (await _cache.SweepAsync(Retention)).ShouldBeEmpty("a vehicle is removed once");
        (await _cache.GetAllAsync()).Select(p => p.Vehicle).ShouldBe(["Bus"]);

        // A report from before it was swept (late) does not bring it back; a newer one does.
        (await _cache.UpdateAsync([new("Van", 1, 1, Start.AddDays(-1), null, null)])).Retired.ShouldBe(["Van"]);
        (await _cache.UpdateAsync([new("Van", 1, 1, Start, null, null)])).Updated.ShouldBe(1);
    }

    [Fact]
    public async Task Sweepers_running_at_once_remove_each_silent_vehicle_exactly_once()
    {
        var vehicles = Enumerable.Range(0, 2_500).Select(i => new VehiclePosition($"Van {i}", 53, -1, Start, null, null)).ToList();
        foreach (var chunk in vehicles.Chunk(500))
        {
            await _cache.UpdateAsync(chunk);
        }

        _clock.Advance(Retention + TimeSpan.FromSeconds(1));

        var sweeps = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _cache.SweepAsync(Retention)));
        var removed = sweeps.SelectMany(s => s).ToList();
        while (sweeps.Any(s => s.Count == LatestPositionCache.SweepBatch))
        {
            sweeps = [await _cache.SweepAsync(Retention)];
            removed.AddRange(sweeps[0]);
        }

        removed.Count.ShouldBe(2_500);
        removed.Distinct().Count().ShouldBe(2_500);
        (await _cache.GetAllAsync()).ShouldBeEmpty();
    }
}
