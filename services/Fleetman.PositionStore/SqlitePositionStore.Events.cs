using Microsoft.Data.Sqlite;

namespace Fleetman.PositionStore;

/// <summary>Fleet events, their per-vehicle state and the geofences, in the same file as the positions.</summary>
public sealed partial class SqlitePositionStore
{
    private const string EventSchema = """

        CREATE TABLE IF NOT EXISTS fleet_events (
            id TEXT NOT NULL PRIMARY KEY, -- deterministic (FleetEvent.IdOf): the same event derived twice is stored once
            time INTEGER NOT NULL,
            vehicle TEXT NOT NULL,
            kind TEXT NOT NULL,
            geofence TEXT,
            lat REAL NOT NULL,
            lon REAL NOT NULL,
            speed_kph REAL,
            limit_kph REAL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS fleet_events_by_time ON fleet_events (time DESC, id);
        CREATE TABLE IF NOT EXISTS fleet_event_state (
            vehicle TEXT NOT NULL PRIMARY KEY,
            time INTEGER NOT NULL,
            state TEXT NOT NULL -- JSON of FleetEventState
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS geofences (
            name TEXT NOT NULL PRIMARY KEY,
            ring TEXT NOT NULL -- JSON [[lat, lng], ...]
        ) WITHOUT ROWID;
        """;

    private const string EventColumns = "id, time, vehicle, kind, geofence, lat, lon, speed_kph, limit_kph";

    public Task<IReadOnlyList<FleetEvent>> AddEventsAsync(IReadOnlyCollection<FleetEvent> events, CancellationToken cancellationToken)
    {
        var batch = StoredFleetEvents.Prepare(events);
        return StoredPositions.WriteAsync(batch, [], EnsureInitializedAsync, token => AddPreparedEventsAsync(batch, token), cancellationToken);
    }

    private Task<IReadOnlyList<FleetEvent>> AddPreparedEventsAsync(List<FleetEvent> batch, CancellationToken cancellationToken) =>
        WriteInTransactionAsync((connection, transaction) => InsertEventsAsync(connection, transaction, batch, cancellationToken), cancellationToken);

    /// <remarks>All three in one transaction: one commit, so one sync to disk per batch instead of three.</remarks>
    public async Task<StoredBatch> AppendWithEventsAsync(
        IReadOnlyCollection<VehiclePosition> positions, IReadOnlyCollection<FleetEvent> events, IReadOnlyCollection<FleetEventState> states, CancellationToken cancellationToken)
    {
        // Both prepared (and so checked) before anything is written.
        var batch = StoredPositions.Prepare(positions);
        var eventBatch = StoredFleetEvents.Prepare(events);
        ArgumentNullException.ThrowIfNull(states);
        if (batch.Count == 0 && eventBatch.Count == 0 && states.Count == 0)
        {
            return new StoredBatch(0, []);
        }

        await EnsureInitializedAsync(cancellationToken);
        return await WriteInTransactionAsync(async (connection, transaction) =>
        {
            var added = batch.Count == 0 ? 0 : await InsertPositionsAsync(connection, transaction, batch, cancellationToken);
            var addedEvents = eventBatch.Count == 0 ? [] : await InsertEventsAsync(connection, transaction, eventBatch, cancellationToken);
            if (states.Count > 0)
            {
                await UpsertEventStatesAsync(connection, transaction, states, cancellationToken);
            }

            return new StoredBatch(added, addedEvents);
        }, cancellationToken);
    }

    private static async Task<IReadOnlyList<FleetEvent>> InsertEventsAsync(
        SqliteConnection connection, SqliteTransaction transaction, List<FleetEvent> batch, CancellationToken cancellationToken)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT OR IGNORE INTO fleet_events ({EventColumns}) VALUES ($id, $time, $vehicle, $kind, $geofence, $lat, $lon, $speed, $limit)";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var time = insert.Parameters.Add("$time", SqliteType.Integer);
        var vehicle = insert.Parameters.Add("$vehicle", SqliteType.Text);
        var kind = insert.Parameters.Add("$kind", SqliteType.Text);
        var geofence = insert.Parameters.Add("$geofence", SqliteType.Text);
        var lat = insert.Parameters.Add("$lat", SqliteType.Real);
        var lon = insert.Parameters.Add("$lon", SqliteType.Real);
        var speed = insert.Parameters.Add("$speed", SqliteType.Real);
        var limit = insert.Parameters.Add("$limit", SqliteType.Real);
        // Compiled once, then executed once per event with new values.
        insert.Prepare();
        var added = new List<FleetEvent>(batch.Count);
        foreach (var e in batch)
        {
            id.Value = e.Id;
            time.Value = e.Time.ToUnixTimeMilliseconds();
            vehicle.Value = e.Vehicle;
            kind.Value = e.Kind.ToString();
            geofence.Value = (object?)e.Geofence ?? DBNull.Value;
            lat.Value = e.Latitude;
            lon.Value = e.Longitude;
            speed.Value = (object?)e.SpeedKph ?? DBNull.Value;
            limit.Value = (object?)e.LimitKph ?? DBNull.Value;
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                added.Add(e);
            }
        }

        return added;
    }

    public async Task<IReadOnlyList<FleetEvent>> GetEventsAsync(DateTimeOffset? since, int limit, CancellationToken cancellationToken)
    {
        StoredPositions.CheckLimit(limit);
        await EnsureInitializedAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {EventColumns} FROM fleet_events WHERE time >= $since ORDER BY time DESC, id LIMIT $limit";
        query.Parameters.AddWithValue("$since", since is { } from ? StoredPositions.Truncate(from).ToUnixTimeMilliseconds() : long.MinValue);
        query.Parameters.AddWithValue("$limit", limit);
        var events = new List<FleetEvent>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new FleetEvent(
                reader.GetString(0),
                reader.GetString(2),
                Enum.Parse<FleetEventKind>(reader.GetString(3)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetDouble(5),
                reader.GetDouble(6),
                reader.IsDBNull(7) ? null : reader.GetDouble(7),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(8) ? null : reader.GetDouble(8)));
        }

        return events;
    }

    public Task<IReadOnlyDictionary<string, FleetEventState>> GetEventStatesAsync(IReadOnlyCollection<string> vehicles, CancellationToken cancellationToken) =>
        StoredPositions.ByVehicleAsync<FleetEventState>(vehicles, EnsureInitializedAsync, async states =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var query = connection.CreateCommand();
            query.CommandText = "SELECT state FROM fleet_event_state WHERE vehicle IN (SELECT value FROM json_each($vehicles))";
            query.Parameters.AddWithValue("$vehicles", JsonSerializer.Serialize(vehicles, PositionStoreJsonContext.Default.IReadOnlyCollectionString));
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var state = JsonSerializer.Deserialize(reader.GetString(0), PositionStoreJsonContext.Default.FleetEventState)!;
                states[state.Vehicle] = state;
            }
        }, cancellationToken);

    public Task SaveEventStatesAsync(IReadOnlyCollection<FleetEventState> states, CancellationToken cancellationToken) =>
        StoredPositions.WriteAsync(
            states,
            EnsureInitializedAsync,
            token => WriteInTransactionAsync(async (connection, transaction) =>
            {
                await UpsertEventStatesAsync(connection, transaction, states, token);
                return true;
            }, token),
            cancellationToken);

    private static async Task UpsertEventStatesAsync(
        SqliteConnection connection, SqliteTransaction transaction, IReadOnlyCollection<FleetEventState> states, CancellationToken cancellationToken)
    {
        await using var upsert = connection.CreateCommand();
        upsert.Transaction = transaction;
        // Newest wins, as for the latest positions: an older batch finishing late leaves the newer state in place.
        upsert.CommandText = """
            INSERT INTO fleet_event_state (vehicle, time, state) VALUES ($vehicle, $time, $state)
            ON CONFLICT (vehicle) DO UPDATE SET time = excluded.time, state = excluded.state WHERE excluded.time > fleet_event_state.time
            """;
        var vehicle = upsert.Parameters.Add("$vehicle", SqliteType.Text);
        var time = upsert.Parameters.Add("$time", SqliteType.Integer);
        var json = upsert.Parameters.Add("$state", SqliteType.Text);
        upsert.Prepare();
        foreach (var state in states)
        {
            var stored = state with { Time = StoredPositions.Truncate(state.Time) };
            vehicle.Value = stored.Vehicle;
            time.Value = stored.Time.ToUnixTimeMilliseconds();
            json.Value = JsonSerializer.Serialize(stored, PositionStoreJsonContext.Default.FleetEventState);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task<IReadOnlyList<Geofence>> GetGeofencesAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT name, ring FROM geofences ORDER BY name";
        var geofences = new List<Geofence>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            geofences.Add(new Geofence(reader.GetString(0), JsonSerializer.Deserialize(reader.GetString(1), PositionStoreJsonContext.Default.ListDoubleArray)!));
        }

        return geofences;
    }

    public async Task SaveGeofenceAsync(Geofence geofence, CancellationToken cancellationToken)
    {
        StoredFleetEvents.Check(geofence);
        await EnsureInitializedAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var upsert = connection.CreateCommand();
        upsert.CommandText = "INSERT INTO geofences (name, ring) VALUES ($name, $ring) ON CONFLICT (name) DO UPDATE SET ring = excluded.ring";
        upsert.Parameters.AddWithValue("$name", geofence.Name);
        upsert.Parameters.AddWithValue("$ring", JsonSerializer.Serialize(geofence.Ring, PositionStoreJsonContext.Default.IReadOnlyListDoubleArray));
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DeleteGeofenceAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await EnsureInitializedAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM geofences WHERE name = $name";
        delete.Parameters.AddWithValue("$name", name);
        return await delete.ExecuteNonQueryAsync(cancellationToken) > 0;
    }
}
