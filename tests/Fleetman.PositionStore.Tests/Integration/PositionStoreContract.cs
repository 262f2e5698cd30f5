namespace Fleetman.PositionStore.Tests.Integration;

/// <summary>
/// What every <see cref="IPositionStore"/> does, whatever it is built on. Each implementation's test class derives from
/// this one; every test gets a new, empty store.
/// </summary>
public abstract class PositionStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<IPositionStore> _stores = [];

    /// <summary>Why this implementation cannot be tested on this machine; null when it can.</summary>
    protected abstract string? SkipReason { get; }

    /// <summary>A store over new, empty storage. Calling it again in the same test opens the same storage again.</summary>
    protected abstract IPositionStore OpenStore();

    /// <summary>Removes the storage of this test (after every store opened on it was disposed).</summary>
    protected abstract Task DeleteStorageAsync();

    /// <summary>Skips the test when the implementation cannot run here; otherwise opens the store and initializes it.</summary>
    protected async Task<IPositionStore> InitializedStoreAsync()
    {
        var store = UninitializedStore();
        await store.InitializeAsync(default);
        return store;
    }

    protected IPositionStore UninitializedStore()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var store = OpenStore();
        _stores.Add(store);
        return store;
    }

    /// <summary>A report of <paramref name="vehicle"/> <paramref name="second"/> seconds after <see cref="T0"/>, at a place of its own.</summary>
    protected static VehiclePosition At(string vehicle, int second) =>
        new(vehicle, 51.5 + (second * 0.001), -0.12 + (second * 0.001), T0.AddSeconds(second), 20 + second, 90.5);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_stores.Count == 0)
        {
            return;
        }

        foreach (var store in _stores)
        {
            (store as IDisposable)?.Dispose();
        }

        await DeleteStorageAsync();
    }

    [SkippableFact]
    public async Task Appended_positions_come_back_as_the_vehicles_history_oldest_first()
    {
        var store = await InitializedStoreAsync();

        await store.AppendAsync([At("truck", 2), At("van", 1), At("truck", 0), At("truck", 1)], default);

        (await store.GetHistoryAsync("truck", null, null, 100, default)).ShouldBe([At("truck", 0), At("truck", 1), At("truck", 2)]);
        (await store.GetHistoryAsync("van", null, null, 100, default)).ShouldBe([At("van", 1)]);
        (await store.GetHistoryAsync("bus", null, null, 100, default)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task A_report_appended_twice_in_one_batch_is_stored_once_and_counted_once()
    {
        var store = await InitializedStoreAsync();

        var added = await store.AppendAsync([At("truck", 0), At("truck", 1), At("truck", 0)], default);

        added.ShouldBe(2);
        (await store.CountAsync("truck", default)).ShouldBe(2);
        (await store.GetHistoryAsync("truck", null, null, 100, default)).ShouldBe([At("truck", 0), At("truck", 1)]);
    }

    [SkippableFact]
    public async Task A_report_appended_again_in_a_later_batch_is_stored_once_and_only_new_ones_are_counted()
    {
        var store = await InitializedStoreAsync();
        (await store.AppendAsync([At("truck", 0), At("truck", 1)], default)).ShouldBe(2);

        // A redelivered message arrives in the next batch beside a new one.
        var added = await store.AppendAsync([At("truck", 1), At("truck", 2)], default);

        added.ShouldBe(1);
        (await store.AppendAsync([At("truck", 0), At("truck", 1), At("truck", 2)], default)).ShouldBe(0);
        (await store.CountAsync(null, default)).ShouldBe(3);
        (await store.GetHistoryAsync("truck", null, null, 100, default)).ShouldBe([At("truck", 0), At("truck", 1), At("truck", 2)]);
    }

    [SkippableFact]
    public async Task A_different_report_for_a_stored_vehicle_and_time_is_ignored_the_first_one_is_kept()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([At("truck", 0)], default);

        var added = await store.AppendAsync([At("truck", 0) with { Latitude = 10, SpeedMph = null }], default);

        added.ShouldBe(0);
        (await store.GetHistoryAsync("truck", null, null, 100, default)).ShouldBe([At("truck", 0)]);
        (await store.GetLatestOfAllAsync(default)).ShouldBe([At("truck", 0)]);
    }

    [SkippableFact]
    public async Task The_latest_position_is_the_newest_even_when_older_reports_are_appended_after_it()
    {
        var store = await InitializedStoreAsync();

        await store.AppendAsync([At("truck", 5)], default);
        await store.AppendAsync([At("truck", 3)], default);
        await store.AppendAsync([At("truck", 1), At("truck", 4)], default);
        // Within one batch too, the newest wins whatever its place in the batch.
        await store.AppendAsync([At("van", 9), At("van", 7)], default);

        (await store.GetLatestAsync(["truck", "van"], default)).ShouldBe(new Dictionary<string, VehiclePosition>
        {
            ["truck"] = At("truck", 5),
            ["van"] = At("van", 9),
        }, ignoreOrder: true);
        (await store.GetLatestOfAllAsync(default)).ShouldBe([At("truck", 5), At("van", 9)]);

        await store.AppendAsync([At("truck", 6)], default);
        (await store.GetLatestAsync(["truck"], default))["truck"].ShouldBe(At("truck", 6));
    }

    [SkippableFact]
    public async Task GetLatest_returns_the_requested_vehicles_that_have_positions_and_leaves_out_unknown_ones()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([At("a", 1), At("a", 2), At("b", 1), At("c", 3)], default);

        var latest = await store.GetLatestAsync(["a", "c", "never-reported"], default);

        latest.Keys.ShouldBe(["a", "c"], ignoreOrder: true);
        latest["a"].ShouldBe(At("a", 2));
        latest["c"].ShouldBe(At("c", 3));
        (await store.GetLatestAsync([], default)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task GetLatestOfAll_returns_each_vehicle_once_ordered_by_name()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([At("zeta", 1), At("beta", 1), At("Alpha", 2), At("beta", 3), At("alpha-2", 1)], default);

        var latest = await store.GetLatestOfAllAsync(default);

        // Ordinal: capitals before lower case, as the byte order both stores sort by.
        latest.ShouldBe([At("Alpha", 2), At("alpha-2", 1), At("beta", 3), At("zeta", 1)]);
    }

    [SkippableFact]
    public async Task History_bounds_are_inclusive_and_either_may_be_left_out()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([.. Enumerable.Range(0, 10).Select(second => At("truck", second))], default);

        (await store.GetHistoryAsync("truck", T0.AddSeconds(2), T0.AddSeconds(5), 100, default))
            .ShouldBe([At("truck", 2), At("truck", 3), At("truck", 4), At("truck", 5)]);
        (await store.GetHistoryAsync("truck", T0.AddSeconds(7), null, 100, default))
            .ShouldBe([At("truck", 7), At("truck", 8), At("truck", 9)]);
        (await store.GetHistoryAsync("truck", null, T0.AddSeconds(1), 100, default))
            .ShouldBe([At("truck", 0), At("truck", 1)]);
        (await store.GetHistoryAsync("truck", T0.AddSeconds(4), T0.AddSeconds(4), 100, default))
            .ShouldBe([At("truck", 4)]);
        (await store.GetHistoryAsync("truck", T0.AddSeconds(20), null, 100, default)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task A_limit_returns_the_most_recent_positions_still_oldest_first()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([.. Enumerable.Range(0, 10).Select(second => At("truck", second))], default);

        (await store.GetHistoryAsync("truck", null, null, 3, default)).ShouldBe([At("truck", 7), At("truck", 8), At("truck", 9)]);
        (await store.GetHistoryAsync("truck", null, T0.AddSeconds(5), 2, default)).ShouldBe([At("truck", 4), At("truck", 5)]);
        (await store.GetHistoryAsync("truck", T0.AddSeconds(8), null, 5, default)).ShouldBe([At("truck", 8), At("truck", 9)]);
    }

    [SkippableFact]
    public async Task The_fleets_history_in_a_window_comes_in_time_order_then_by_vehicle_with_both_bounds_included()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([.. Enumerable.Range(0, 6).SelectMany(second => new[] { At("van", second), At("truck", second) })], default);

        (await store.GetFleetHistoryAsync(T0.AddSeconds(2), T0.AddSeconds(3), 100, default))
            .ShouldBe([At("truck", 2), At("van", 2), At("truck", 3), At("van", 3)]);
        (await store.GetFleetHistoryAsync(T0.AddSeconds(10), T0.AddSeconds(20), 100, default)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task A_replay_reads_the_fleets_history_forward_page_by_page_from_the_last_time_of_the_page_before()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([.. Enumerable.Range(0, 5).SelectMany(second => new[] { At("van", second), At("truck", second) })], default);

        var first = await store.GetFleetHistoryAsync(T0, T0.AddSeconds(4), 3, default);
        first.ShouldBe([At("truck", 0), At("van", 0), At("truck", 1)], "the first positions of the window, not the last");
        var second = await store.GetFleetHistoryAsync(first[^1].Time, T0.AddSeconds(4), 3, default);
        second.ShouldBe([At("truck", 1), At("van", 1), At("truck", 2)], "from the last time seen: its positions come again");
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => store.GetFleetHistoryAsync(T0, T0.AddSeconds(4), 0, default));
    }

    [SkippableFact]
    public async Task A_limit_below_one_is_rejected()
    {
        var store = await InitializedStoreAsync();

        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => store.GetHistoryAsync("truck", null, null, 0, default));
    }

    [SkippableFact]
    public async Task Count_is_per_vehicle_or_in_total()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([At("a", 1), At("a", 2), At("a", 3), At("b", 1), At("b", 2)], default);

        (await store.CountAsync("a", default)).ShouldBe(3);
        (await store.CountAsync("b", default)).ShouldBe(2);
        (await store.CountAsync("never-reported", default)).ShouldBe(0);
        (await store.CountAsync(null, default)).ShouldBe(5);
    }

    [SkippableFact]
    public async Task A_new_store_is_empty_and_an_empty_batch_changes_nothing()
    {
        var store = await InitializedStoreAsync();

        (await store.AppendAsync([], default)).ShouldBe(0);

        (await store.CountAsync(null, default)).ShouldBe(0);
        (await store.GetLatestOfAllAsync(default)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task Times_come_back_in_utc_truncated_to_the_millisecond_wherever_they_are_read()
    {
        var store = await InitializedStoreAsync();
        // 14:30:15.1234567 at +02:00: below-millisecond ticks and a local offset, as a DateTimeOffset may carry.
        var written = new DateTimeOffset(2026, 3, 1, 14, 30, 15, 123, TimeSpan.FromHours(2)).AddTicks(4567);
        var expected = new DateTimeOffset(2026, 3, 1, 12, 30, 15, 123, TimeSpan.Zero);

        await store.AppendAsync([At("truck", 0) with { Time = written }], default);

        var read = new[]
        {
            (await store.GetHistoryAsync("truck", null, null, 10, default)).ShouldHaveSingleItem().Time,
            (await store.GetLatestAsync(["truck"], default))["truck"].Time,
            (await store.GetLatestOfAllAsync(default)).ShouldHaveSingleItem().Time,
            // Bounds are truncated like stored times: the time a position was written with finds it.
            (await store.GetHistoryAsync("truck", written, written, 10, default)).ShouldHaveSingleItem().Time,
        };
        foreach (var time in read)
        {
            // DateTimeOffset equality ignores the offset; the offset and the ticks are checked on their own.
            time.ShouldBe(expected);
            time.Offset.ShouldBe(TimeSpan.Zero);
            time.UtcTicks.ShouldBe(expected.UtcTicks);
        }

        // The same report with its full precision is the same report.
        (await store.AppendAsync([At("truck", 0) with { Time = written }], default)).ShouldBe(0);
    }

    [SkippableFact]
    public async Task Speed_and_heading_come_back_as_written_null_included()
    {
        var store = await InitializedStoreAsync();
        var first = new VehiclePosition("truck", 53.4807593, -2.2426305, T0, null, null);
        var moving = new VehiclePosition("truck", 53.4812, -2.2431, T0.AddSeconds(5), 31.068559611866696, 321.5);
        var stopped = new VehiclePosition("van", 53.4812, -2.2431, T0, 0, null);

        await store.AppendAsync([first, moving, stopped], default);

        (await store.GetHistoryAsync("truck", null, null, 10, default)).ShouldBe([first, moving]);
        (await store.GetLatestOfAllAsync(default)).ShouldBe([moving, stopped]);
    }

    [SkippableFact]
    public async Task Unicode_vehicle_names_are_stored_read_and_ordered_as_written()
    {
        var store = await InitializedStoreAsync();
        string[] names = ["Lieferwagen Müller", "货车-7", "🚚 convoy"];

        await store.AppendAsync([.. names.Select(name => At(name, 1))], default);

        (await store.GetLatestOfAllAsync(default)).Select(position => position.Vehicle).ShouldBe(names);
        (await store.GetLatestAsync([names[2]], default)).Keys.ShouldBe([names[2]]);
        (await store.GetHistoryAsync(names[1], null, null, 10, default)).ShouldBe([At(names[1], 1)]);
        (await store.CountAsync(names[0], default)).ShouldBe(1);
    }

    [SkippableFact]
    public async Task Vehicle_names_that_look_like_query_syntax_are_plain_names()
    {
        var store = await InitializedStoreAsync();
        string[] names = ["$time", "a.b", "x' OR '1'='1"];

        await store.AppendAsync([.. names.Select(name => At(name, 1))], default);
        await store.AppendAsync([.. names.Select(name => At(name, 2))], default);

        (await store.GetLatestOfAllAsync(default)).ShouldBe([.. names.Order(StringComparer.Ordinal).Select(name => At(name, 2))]);
        foreach (var name in names)
        {
            (await store.GetHistoryAsync(name, null, null, 10, default)).ShouldBe([At(name, 1), At(name, 2)]);
        }
    }

    [SkippableFact]
    public async Task A_batch_with_a_position_that_is_not_a_finite_number_is_rejected_whole()
    {
        var store = await InitializedStoreAsync();

        await Should.ThrowAsync<ArgumentException>(() => store.AppendAsync([At("truck", 0), At("truck", 1) with { Longitude = double.NaN }], default));
        await Should.ThrowAsync<ArgumentException>(() => store.AppendAsync([At("truck", 0), At("truck", 1) with { SpeedMph = double.PositiveInfinity }], default));
        await Should.ThrowAsync<ArgumentException>(() => store.AppendAsync([At("", 0)], default));

        (await store.CountAsync(null, default)).ShouldBe(0);
    }

    [SkippableFact]
    public async Task Initializing_again_is_harmless()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([At("truck", 0)], default);

        // Again by the same store, and by another one on the same storage, as when a second service starts.
        await store.InitializeAsync(default);
        var another = await InitializedStoreAsync();

        (await another.AppendAsync([At("truck", 0), At("truck", 1)], default)).ShouldBe(1);
        (await store.GetHistoryAsync("truck", null, null, 10, default)).ShouldBe([At("truck", 0), At("truck", 1)]);
        (await store.GetLatestOfAllAsync(default)).ShouldBe([At("truck", 1)]);
    }

    [SkippableFact]
    public async Task A_store_used_before_InitializeAsync_creates_what_it_needs_first()
    {
        var store = UninitializedStore();

        (await store.AppendAsync([At("truck", 0)], default)).ShouldBe(1);

        (await store.GetLatestOfAllAsync(default)).ShouldBe([At("truck", 0)]);
    }

    [SkippableFact]
    public async Task Deleting_history_before_a_cutoff_removes_older_positions_of_every_vehicle_keeps_newer_ones_and_counts()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([.. Enumerable.Range(0, 10).SelectMany(second => new[] { At("truck", second), At("van", second) })], default);
        // A vehicle heard from only after the cutoff, and names a query language might read as syntax.
        await store.AppendAsync([At("bus", 8), At("bus", 9), At("$time", 1), At("x' OR '1'='1", 2), At("x' OR '1'='1", 7)], default);

        var deleted = await store.DeleteHistoryBeforeAsync(T0.AddSeconds(5), default);

        deleted.ShouldBe(12);
        (await store.CountAsync(null, default)).ShouldBe(13);
        (await store.GetHistoryAsync("truck", null, null, 100, default)).ShouldBe([.. Enumerable.Range(5, 5).Select(second => At("truck", second))]);
        (await store.GetHistoryAsync("van", null, null, 100, default)).ShouldBe([.. Enumerable.Range(5, 5).Select(second => At("van", second))]);
        (await store.GetHistoryAsync("bus", null, null, 100, default)).ShouldBe([At("bus", 8), At("bus", 9)]);
        (await store.GetHistoryAsync("$time", null, null, 100, default)).ShouldBeEmpty();
        (await store.GetHistoryAsync("x' OR '1'='1", null, null, 100, default)).ShouldBe([At("x' OR '1'='1", 7)]);
    }

    [SkippableFact]
    public async Task A_position_at_the_cutoff_is_kept_and_one_a_millisecond_older_is_deleted()
    {
        var store = await InitializedStoreAsync();
        var cutoff = T0.AddSeconds(5);
        VehiclePosition[] around = [.. new[] { -1, 0, 1 }.Select(ms => At("truck", 5) with { Time = cutoff.AddMilliseconds(ms) })];
        await store.AppendAsync(around, default);

        // Below-millisecond ticks are truncated as stored times are: this cutoff is the same millisecond.
        var deleted = await store.DeleteHistoryBeforeAsync(cutoff.AddTicks(9_999), default);

        deleted.ShouldBe(1);
        (await store.GetHistoryAsync("truck", null, null, 10, default)).ShouldBe(around[1..]);
    }

    [SkippableFact]
    public async Task Deleting_all_of_a_vehicles_history_keeps_its_latest_position()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([At("truck", 1), At("truck", 2), At("van", 1), At("van", 9)], default);

        (await store.DeleteHistoryBeforeAsync(T0.AddSeconds(5), default)).ShouldBe(3);

        (await store.GetHistoryAsync("truck", null, null, 10, default)).ShouldBeEmpty();
        // Not history: the base of the next speed, and what the tracker falls back to without Redis.
        (await store.GetLatestOfAllAsync(default)).ShouldBe([At("truck", 2), At("van", 9)]);
        (await store.GetLatestAsync(["truck"], default))["truck"].ShouldBe(At("truck", 2));
    }

    [SkippableFact]
    public async Task Deleting_history_when_nothing_is_older_deletes_nothing_and_a_second_sweep_finds_nothing_left()
    {
        var store = await InitializedStoreAsync();

        (await store.DeleteHistoryBeforeAsync(T0.AddDays(1), default)).ShouldBe(0, "an empty store");

        await store.AppendAsync([At("truck", 3), At("truck", 4)], default);
        (await store.DeleteHistoryBeforeAsync(T0, default)).ShouldBe(0, "every position is newer");
        (await store.DeleteHistoryBeforeAsync(T0.AddSeconds(4), default)).ShouldBe(1);
        (await store.DeleteHistoryBeforeAsync(T0.AddSeconds(4), default)).ShouldBe(0, "the same sweep again");
        (await store.CountAsync(null, default)).ShouldBe(1);
    }

    [SkippableFact]
    public async Task A_store_swept_before_InitializeAsync_creates_what_it_needs_first()
    {
        var store = UninitializedStore();

        (await store.DeleteHistoryBeforeAsync(T0, default)).ShouldBe(0);

        (await store.AppendAsync([At("truck", 0)], default)).ShouldBe(1);
    }

    [SkippableFact]
    public async Task Ping_succeeds_on_an_initialized_store()
    {
        var store = await InitializedStoreAsync();

        await Should.NotThrowAsync(() => store.PingAsync(default));
    }
}
