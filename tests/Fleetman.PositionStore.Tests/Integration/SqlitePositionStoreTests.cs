using Fleetman.PositionStore.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Fleetman.PositionStore.Tests.Integration;

/// <summary>The contract against a real SQLite file, plus what only a file shared by several processes must do.</summary>
public sealed class SqlitePositionStoreTests : FleetEventStoreContract, IDisposable
{
    private readonly TempDirectory _directory = new();

    // A directory that does not exist yet: the store creates it.
    private string DatabasePath => _directory.File("data", "positions.db");

    protected override string? SkipReason => null;

    protected override IPositionStore OpenStore() => new SqlitePositionStore(DatabasePath);

    protected override Task DeleteStorageAsync() => Task.CompletedTask;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_file_and_its_directory_are_created_in_wal_mode()
    {
        await InitializedStoreAsync();

        File.Exists(DatabasePath).ShouldBeTrue();
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var query = connection.CreateCommand();
        query.CommandText = "PRAGMA journal_mode";
        (await query.ExecuteScalarAsync()).ShouldBe("wal");
    }

    [Fact]
    public async Task Two_stores_on_one_file_writing_at_once_lose_nothing_and_never_fail_busy()
    {
        // Two queue-consumer processes: separate store instances on one file, several batches in flight in each.
        var one = await InitializedStoreAsync();
        var other = await InitializedStoreAsync();
        const int writersPerStore = 4, batches = 40, batchSize = 25;
        // Writer n of each store appends the same batches of vehicle-n: every report reaches both stores, as a redelivered
        // message reaches another consumer.
        var added = new ConcurrentBag<int>();
        var writers = new[] { one, other }.SelectMany(_ => Enumerable.Range(0, writersPerStore), (store, writer) => (store, writer))
            .Select(work => Task.Run(async () =>
            {
                for (var batch = 0; batch < batches; batch++)
                {
                    var positions = Enumerable.Range(batch * batchSize, batchSize).Select(second => At($"vehicle-{work.writer}", second)).ToList();
                    added.Add(await work.store.AppendAsync(positions, default));
                }
            }));

        await Task.WhenAll(writers);

        const int unique = writersPerStore * batches * batchSize;
        added.Sum().ShouldBe(unique, "each report counted as new exactly once, by whichever store stored it");
        (await one.CountAsync(null, default)).ShouldBe(unique);
        (await other.GetLatestOfAllAsync(default)).ShouldBe(
            [.. Enumerable.Range(0, writersPerStore).Select(writer => At($"vehicle-{writer}", (batches * batchSize) - 1))]);
    }

    [Fact]
    public async Task An_append_waits_for_another_writers_transaction_instead_of_failing_and_readers_do_not_wait()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([At("truck", 0)], default);
        // Another process in the middle of a long write transaction.
        await using var other = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await other.OpenAsync();
        await using var transaction = other.BeginTransaction(deferred: false);
        await using (var insert = other.CreateCommand())
        {
            insert.CommandText = "INSERT INTO positions (vehicle, time, lat, lon) VALUES ('van', 0, 1, 2)";
            await insert.ExecuteNonQueryAsync();
        }

        var append = Task.Run(() => store.AppendAsync([At("truck", 1)], default));
        (await store.GetHistoryAsync("truck", null, null, 10, default)).ShouldBe([At("truck", 0)], "WAL: reading while another writes");
        await Task.Delay(500);
        append.IsCompleted.ShouldBeFalse("the append waits for the write lock");
        await transaction.CommitAsync();

        (await append).ShouldBe(1);
        (await store.CountAsync(null, default)).ShouldBe(3);
    }

    [Fact]
    public async Task Positions_are_still_there_when_the_file_is_opened_again()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([At("truck", 0), At("truck", 1), At("van", 3)], default);
        ((IDisposable)store).Dispose();

        var reopened = await InitializedStoreAsync();

        (await reopened.GetHistoryAsync("truck", null, null, 10, default)).ShouldBe([At("truck", 0), At("truck", 1)]);
        (await reopened.GetLatestOfAllAsync(default)).ShouldBe([At("truck", 1), At("van", 3)]);
        (await reopened.AppendAsync([At("van", 3)], default)).ShouldBe(0);
    }

    [Fact]
    public async Task A_batch_of_five_thousand_is_stored_in_one_transaction()
    {
        var store = await InitializedStoreAsync();
        var reader = await InitializedStoreAsync();
        var batch = Enumerable.Range(0, 5_000).Select(second => At($"vehicle-{second % 100}", second)).ToList();
        var seen = new ConcurrentBag<long>();
        using var appended = new CancellationTokenSource();
        var watcherRunning = new TaskCompletionSource();
        // Another process reading while the batch is written sees none of it or all of it.
        var watching = Task.Run(async () =>
        {
            do
            {
                seen.Add(await reader.CountAsync(null, default));
                watcherRunning.TrySetResult();
            }
            while (!appended.IsCancellationRequested);
        });
        await watcherRunning.Task; // reading before the write starts, however busy the machine is

        var added = await store.AppendAsync(batch, default);
        await appended.CancelAsync();
        await watching;

        added.ShouldBe(5_000);
        seen.ShouldNotBeEmpty();
        seen.Distinct().ShouldBeSubsetOf([0L, 5_000L]);
        (await reader.CountAsync(null, default)).ShouldBe(5_000);
        (await reader.GetLatestOfAllAsync(default)).Count.ShouldBe(100);
    }

    [Fact]
    public async Task A_sweep_larger_than_one_batch_deletes_every_older_position_while_appends_go_on()
    {
        var store = await InitializedStoreAsync();
        var consumer = await InitializedStoreAsync();
        // 12,000 old positions over 7 vehicles (more than two delete batches), and 700 to keep.
        for (var start = 0; start < 12_700; start += 2_540)
        {
            await store.AppendAsync([.. Enumerable.Range(start, 2_540).Select(second => At($"vehicle-{second % 7}", second))], default);
        }

        // A queue-consumer process appending new positions the whole time, each append within its busy timeout.
        using var swept = new CancellationTokenSource();
        var appenderRunning = new TaskCompletionSource();
        var appended = 0;
        var appending = Task.Run(async () =>
        {
            for (var second = 20_000; !swept.IsCancellationRequested; second++)
            {
                appended += await consumer.AppendAsync([At("vehicle-0", second)], default);
                appenderRunning.TrySetResult();
            }
        });
        await appenderRunning.Task; // appending before the sweep starts, however busy the machine is

        var deleted = await store.DeleteHistoryBeforeAsync(T0.AddSeconds(12_000), default);
        await swept.CancelAsync();
        await appending;

        deleted.ShouldBe(12_000);
        appended.ShouldBeGreaterThan(0);
        (await store.CountAsync(null, default)).ShouldBe(700 + appended);
        (await store.GetHistoryAsync("vehicle-3", null, T0.AddSeconds(12_700), 1_000, default)).Select(position => position.Time)
            .ShouldBe([.. Enumerable.Range(12_000, 700).Where(second => second % 7 == 3).Select(second => T0.AddSeconds(second))]);
    }

    [Fact]
    public async Task The_sweep_walks_the_primary_key_instead_of_scanning_from_the_start_for_every_batch()
    {
        await InitializedStoreAsync();
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var plan = connection.CreateCommand();
        plan.CommandText = """
            EXPLAIN QUERY PLAN SELECT vehicle, time FROM positions
            WHERE (vehicle, time) > ('truck', 0) AND time < 10 ORDER BY vehicle, time LIMIT 5000
            """;
        await using var reader = await plan.ExecuteReaderAsync();
        var steps = new List<string>();
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }

        // A search that starts at the key (not a SCAN), in key order (no temporary B-tree for ORDER BY).
        steps.ShouldHaveSingleItem().ShouldStartWith("SEARCH positions USING PRIMARY KEY ((vehicle,time)>(?,?))");
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_fails_initialization_and_ping()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await File.WriteAllTextAsync(DatabasePath, "not a database, just text that is long enough to have a header");
        var store = UninitializedStore();

        await Should.ThrowAsync<SqliteException>(() => store.InitializeAsync(default));
        await Should.ThrowAsync<SqliteException>(() => store.PingAsync(default));
    }

    [Fact]
    public async Task Ping_fails_until_the_schema_exists()
    {
        var store = UninitializedStore();
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);

        await Should.ThrowAsync<SqliteException>(() => store.PingAsync(default));

        await store.InitializeAsync(default);
        await Should.NotThrowAsync(() => store.PingAsync(default));
    }

    [Fact]
    public async Task Event_states_and_rings_are_stored_as_the_reflection_based_serializer_wrote_them_and_that_text_reads_back()
    {
        var store = (SqlitePositionStore)await InitializedStoreAsync();
        var state = new FleetEventState("Vän \"7\"", T0, 53.38, -1.47, true, T0.AddSeconds(-30.5), false, ["Depot", "Zöne <1>"]);
        var geofence = new Geofence("Zöne <1>", [[53.38, -1.471], [53.38, -1.469], [53.382, 1e-7]]);
        await store.SaveEventStatesAsync([state], default);
        await store.SaveGeofenceAsync(geofence, default);

        // The text JsonSerializer wrote by reflection with its defaults, before the store's JSON had generated metadata:
        // files written by either build read in the other.
        (await ColumnAsync("SELECT state FROM fleet_event_state")).ShouldBe(JsonSerializer.Serialize(state));
        (await ColumnAsync("SELECT ring FROM geofences")).ShouldBe(JsonSerializer.Serialize(geofence.Ring));

        var older = state with { Vehicle = "Older", SlowSince = null, Inside = [] };
        await ColumnAsync($"INSERT INTO fleet_event_state (vehicle, time, state) VALUES ('Older', 0, '{JsonSerializer.Serialize(older)}')");
        var read = await store.GetEventStatesAsync(["Older", state.Vehicle], default);
        JsonSerializer.Serialize(read["Older"]).ShouldBe(JsonSerializer.Serialize(older));
        JsonSerializer.Serialize(read[state.Vehicle]).ShouldBe(JsonSerializer.Serialize(state));
        (await store.GetGeofencesAsync(default)).ShouldHaveSingleItem().Ring.ShouldBe(geofence.Ring);
    }

    private async Task<string?> ColumnAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (string?)await command.ExecuteScalarAsync();
    }
}
