using Microsoft.Data.Sqlite;

namespace Fleetman.PositionStore;

/// <summary>
/// The embedded store of the one-command local run: one SQLite file in WAL mode that several processes share (two
/// queue-consumers writing, the tracker reading). An append is one transaction and is on disk when it returns.
/// </summary>
/// <remarks>
/// Tables: <c>positions</c> (the history, keyed by vehicle and time, so "history of one vehicle" reads one range of the
/// primary key) and <c>latest</c> (one row per vehicle, kept newest-wins, so the latest reads never scan the history);
/// for fleet events <c>fleet_events</c>, <c>fleet_event_state</c> and <c>geofences</c>.
/// Times are Unix milliseconds (UTC). Microsoft.Data.Sqlite runs its async methods synchronously: calls are short.
/// </remarks>
public sealed partial class SqlitePositionStore : IPositionStore, IFleetEventStore, IDisposable
{
    // How long a writer waits for another process's write transaction before failing with "database is locked".
    // Writes take milliseconds; the margin covers a checkpoint or a slow disk.
    private const int BusyTimeoutMilliseconds = 10_000;

    private const string Columns = "vehicle, time, lat, lon, speed, heading";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS positions (
            vehicle TEXT NOT NULL,
            time INTEGER NOT NULL, -- Unix milliseconds, UTC
            lat REAL NOT NULL,
            lon REAL NOT NULL,
            speed REAL,
            heading REAL,
            PRIMARY KEY (vehicle, time)
        ) WITHOUT ROWID;
        -- The fleet's history in time order (replay) and the retention sweep read by time across vehicles.
        CREATE INDEX IF NOT EXISTS positions_by_time ON positions (time, vehicle);
        CREATE TABLE IF NOT EXISTS latest (
            vehicle TEXT NOT NULL PRIMARY KEY,
            time INTEGER NOT NULL,
            lat REAL NOT NULL,
            lon REAL NOT NULL,
            speed REAL,
            heading REAL
        ) WITHOUT ROWID;
        """;

    // A report stored twice (a redelivered message) is ignored by its key; the caller learns how many rows were new.
    private const string InsertPosition = $"INSERT OR IGNORE INTO positions ({Columns}) VALUES ($vehicle, $time, $lat, $lon, $speed, $heading)";

    // Newest wins: an older report appended after a newer one (redelivery, two consumers) leaves the newer one in place.
    private const string UpsertLatest = $"""
        INSERT INTO latest ({Columns}) VALUES ($vehicle, $time, $lat, $lon, $speed, $heading)
        ON CONFLICT (vehicle) DO UPDATE SET
            time = excluded.time, lat = excluded.lat, lon = excluded.lon, speed = excluded.speed, heading = excluded.heading
        WHERE excluded.time > latest.time
        """;

    // Rows deleted per write transaction by the retention sweep: each batch holds the write lock for milliseconds, so
    // the queue-consumers' appends (which wait up to the busy timeout) are delayed by at most one batch at a time.
    private const int DeleteBatchSize = 5_000;

    // The next rows older than the cutoff after a (vehicle, time) key, in primary-key order: the row value comparison
    // starts the walk at the key, so the whole sweep reads the table once however many batches it takes.
    private const string SelectOlderKeys = """
        SELECT vehicle, time FROM positions
        WHERE (vehicle, time) > ($vehicle, $time) AND time < $cutoff
        ORDER BY vehicle, time LIMIT $limit
        """;

    private readonly string _connectionString;

    // The writers of this process take turns here, woken as soon as the one before commits, instead of in SQLite's
    // busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25... ms between tries: two queue-consumer handlers writing at once
    // lost milliseconds per batch there. Other processes still wait through busy_timeout.
    private readonly SemaphoreSlim _writeTurn = new(1, 1);
    private volatile bool _initialized;

    /// <param name="path">The database file; its directory is created when missing.</param>
    public SqlitePositionStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Connections are opened per call and kept open in the pool, so the per-connection pragmas below run once
            // per physical connection in practice and opening costs nothing.
            Pooling = true,
        }.ToString();
    }

    /// <summary>The database file (absolute).</summary>
    public string Path { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            // WAL lets the tracker read while a consumer writes, and is remembered by the file. It needs shared memory
            // between processes, which some network file systems cannot offer: fail clearly there.
            wal.CommandText = "PRAGMA journal_mode = WAL";
            var mode = (string?)await wal.ExecuteScalarAsync(cancellationToken);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite could not switch {Path} to WAL mode (journal mode is '{mode}').");
            }
        }

        await using (var schema = connection.CreateCommand())
        {
            schema.CommandText = Schema + EventSchema;
            await schema.ExecuteNonQueryAsync(cancellationToken);
        }

        _initialized = true;
    }

    public Task<int> AppendAsync(IReadOnlyCollection<VehiclePosition> positions, CancellationToken cancellationToken) =>
        StoredPositions.AppendAsync(positions, EnsureInitializedAsync, AppendPreparedAsync, cancellationToken);

    private Task<int> AppendPreparedAsync(List<VehiclePosition> batch, CancellationToken cancellationToken) =>
        WriteInTransactionAsync((connection, transaction) => InsertPositionsAsync(connection, transaction, batch, cancellationToken), cancellationToken);

    /// <summary>The history rows of a prepared batch, then each vehicle's newest into <c>latest</c>; how many rows were new.</summary>
    private static async Task<int> InsertPositionsAsync(
        SqliteConnection connection, SqliteTransaction transaction, List<VehiclePosition> batch, CancellationToken cancellationToken)
    {
        var added = 0;
        await using (var insert = PositionCommand(connection, transaction, InsertPosition))
        {
            foreach (var position in batch)
            {
                Bind(insert, position);
                added += await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await using (var upsert = PositionCommand(connection, transaction, UpsertLatest))
        {
            foreach (var position in StoredPositions.NewestPerVehicle(batch))
            {
                Bind(upsert, position);
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        return added;
    }

    /// <summary>
    /// One write transaction, one writer of this process at a time: <c>BEGIN IMMEDIATE</c> takes the write lock up front (waiting through busy_timeout),
    /// instead of failing at once with SQLITE_BUSY when a deferred read transaction tries to become a write transaction
    /// while another process writes. The commit is synced to disk (synchronous=FULL) before this returns, so the caller
    /// may ack the messages it stored.
    /// </summary>
    private async Task<T> WriteInTransactionAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        await _writeTurn.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction(deferred: false);
            var result = await write(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _writeTurn.Release();
        }
    }

    public Task<IReadOnlyDictionary<string, VehiclePosition>> GetLatestAsync(IReadOnlyCollection<string> vehicles, CancellationToken cancellationToken) =>
        StoredPositions.ByVehicleAsync<VehiclePosition>(vehicles, EnsureInitializedAsync, async latest =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var query = connection.CreateCommand();
            // One parameter whatever the number of vehicles (SQLite limits the number of parameters of a statement).
            query.CommandText = $"SELECT {Columns} FROM latest WHERE vehicle IN (SELECT value FROM json_each($vehicles))";
            query.Parameters.AddWithValue("$vehicles", JsonSerializer.Serialize(vehicles, PositionStoreJsonContext.Default.IReadOnlyCollectionString));
            await foreach (var position in ReadAsync(query, cancellationToken))
            {
                latest[position.Vehicle] = position;
            }
        }, cancellationToken);

    public async Task<IReadOnlyList<VehiclePosition>> GetLatestOfAllAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        // BINARY collation: UTF-8 byte order, the order MongoDB gives its string _id values too.
        query.CommandText = $"SELECT {Columns} FROM latest ORDER BY vehicle";
        return await ReadAsync(query, cancellationToken).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<VehiclePosition>> GetHistoryAsync(
        string vehicle, DateTimeOffset? since, DateTimeOffset? until, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vehicle);
        // Newest first so LIMIT keeps the end of the trail, walking the primary key backwards; reversed below.
        var history = await ReadWindowAsync(
            vehicle,
            since is { } from ? StoredPositions.Truncate(from).ToUnixTimeMilliseconds() : long.MinValue,
            until is { } to ? StoredPositions.Truncate(to).ToUnixTimeMilliseconds() : long.MaxValue,
            "time DESC",
            limit,
            cancellationToken);
        history.Reverse();
        return history;
    }

    public async Task<IReadOnlyList<VehiclePosition>> GetFleetHistoryAsync(DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken) =>
        await ReadWindowAsync(
            vehicle: null,
            StoredPositions.Truncate(since).ToUnixTimeMilliseconds(),
            StoredPositions.Truncate(until).ToUnixTimeMilliseconds(),
            "time, vehicle",
            limit,
            cancellationToken);

    public async Task<long> CountAsync(string? vehicle, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        if (vehicle is null)
        {
            query.CommandText = "SELECT count(*) FROM positions";
        }
        else
        {
            query.CommandText = "SELECT count(*) FROM positions WHERE vehicle = $vehicle";
            query.Parameters.AddWithValue("$vehicle", vehicle);
        }

        return Convert.ToInt64(await query.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <remarks>
    /// In batches of <see cref="DeleteBatchSize"/> rows, one write transaction each: the keys of the next batch are read
    /// first without the write lock (WAL: reading never waits), then deleted by key under <c>BEGIN IMMEDIATE</c>. A large
    /// sweep never holds the lock long, and one interrupted half-way keeps what it committed; the next run goes on from
    /// there. Freed pages are reused by later appends; the file does not shrink (that would take a VACUUM).
    /// </remarks>
    public async Task<long> DeleteHistoryBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.CommandText = SelectOlderKeys;
        // Stored names are never empty, so ("", any time) comes before every row.
        var vehicle = select.Parameters.AddWithValue("$vehicle", "");
        var time = select.Parameters.AddWithValue("$time", long.MinValue);
        select.Parameters.AddWithValue("$cutoff", StoredPositions.Truncate(cutoff).ToUnixTimeMilliseconds());
        select.Parameters.AddWithValue("$limit", DeleteBatchSize);

        var keys = new List<(string Vehicle, long Time)>(DeleteBatchSize);
        long deleted = 0;
        while (true)
        {
            keys.Clear();
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    keys.Add((reader.GetString(0), reader.GetInt64(1)));
                }
            }

            if (keys.Count == 0)
            {
                return deleted;
            }

            await using (var transaction = connection.BeginTransaction(deferred: false))
            {
                await using var delete = connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM positions WHERE vehicle = $vehicle AND time = $time";
                var deleteVehicle = delete.Parameters.Add("$vehicle", SqliteType.Text);
                var deleteTime = delete.Parameters.Add("$time", SqliteType.Integer);
                delete.Prepare();
                foreach (var key in keys)
                {
                    deleteVehicle.Value = key.Vehicle;
                    deleteTime.Value = key.Time;
                    deleted += await delete.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }

            if (keys.Count < DeleteBatchSize)
            {
                return deleted;
            }

            (vehicle.Value, time.Value) = keys[^1];
        }
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        // Fails with "no such table" until the schema exists: the file alone is not a usable store.
        query.CommandText = "SELECT 1 FROM latest LIMIT 1";
        await query.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Closes the pooled connections to the file (the WAL is checkpointed and removed when the last one closes).</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    public override string ToString() => $"SQLite {Path}";

    // Until InitializeAsync succeeded (the hosted initializer may still be retrying), the first call creates the schema.
    private Task EnsureInitializedAsync(CancellationToken cancellationToken) =>
        _initialized ? Task.CompletedTask : InitializeAsync(cancellationToken);

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            // Per connection. busy_timeout: wait for another process's write lock instead of failing at once.
            // synchronous=FULL: in WAL mode NORMAL may lose the last commits on power loss; the queue-consumer acks
            // messages once AppendAsync returns, so a returned append must survive one.
            pragmas.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = FULL;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static SqliteCommand PositionCommand(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.Add("$vehicle", SqliteType.Text);
        command.Parameters.Add("$time", SqliteType.Integer);
        command.Parameters.Add("$lat", SqliteType.Real);
        command.Parameters.Add("$lon", SqliteType.Real);
        command.Parameters.Add("$speed", SqliteType.Real);
        command.Parameters.Add("$heading", SqliteType.Real);
        // Compiled once, then executed once per position with new values.
        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, VehiclePosition position)
    {
        var parameters = command.Parameters;
        parameters[0].Value = position.Vehicle;
        parameters[1].Value = position.Time.ToUnixTimeMilliseconds();
        parameters[2].Value = position.Latitude;
        parameters[3].Value = position.Longitude;
        parameters[4].Value = (object?)position.SpeedMph ?? DBNull.Value;
        parameters[5].Value = (object?)position.Heading ?? DBNull.Value;
    }

    /// <summary>
    /// The stored positions of one vehicle (or, for null, the whole fleet) from <paramref name="since"/> to
    /// <paramref name="until"/> (Unix milliseconds, both included), at most <paramref name="limit"/> in the order
    /// <paramref name="orderBy"/> (one of the callers' constant clauses, never input).
    /// </summary>
    private async Task<List<VehiclePosition>> ReadWindowAsync(
        string? vehicle, long since, long until, string orderBy, int limit, CancellationToken cancellationToken)
    {
        StoredPositions.CheckLimit(limit);
        await EnsureInitializedAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"""
            SELECT {Columns} FROM positions
            WHERE {(vehicle is null ? "" : "vehicle = $vehicle AND ")}time >= $since AND time <= $until
            ORDER BY {orderBy} LIMIT $limit
            """;
        if (vehicle is not null)
        {
            query.Parameters.AddWithValue("$vehicle", vehicle);
        }

        query.Parameters.AddWithValue("$since", since);
        query.Parameters.AddWithValue("$until", until);
        query.Parameters.AddWithValue("$limit", limit);
        return await ReadAsync(query, cancellationToken).ToListAsync(cancellationToken);
    }

    private static async IAsyncEnumerable<VehiclePosition> ReadAsync(
        SqliteCommand query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new VehiclePosition(
                reader.GetString(0),
                reader.GetDouble(2),
                reader.GetDouble(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.IsDBNull(4) ? null : reader.GetDouble(4),
                reader.IsDBNull(5) ? null : reader.GetDouble(5));
        }
    }
}
