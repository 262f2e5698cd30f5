using MongoDB.Bson;
using MongoDB.Driver;
using static Fleetman.PositionStore.MongoDefinitions;

namespace Fleetman.PositionStore;

/// <summary>
/// The store of every deployment: history in the time-series collection <c>positions</c> (indexed by vehicle and
/// time), the newest position of each vehicle in the regular collection <c>latest</c> (<c>_id</c> = vehicle name); fleet
/// events in <c>fleet_events</c> (<c>_id</c> = the event's id), their state in <c>fleet_event_state</c> (<c>_id</c> =
/// vehicle name), geofences in <c>geofences</c> (<c>_id</c> = name).
/// </summary>
/// <remarks>
/// Writes use the connection string's write concern when it sets one, otherwise <c>w: "majority", j: true</c>: an
/// append is journaled on a majority of the replica set when it returns, because the queue-consumer acks after it.
/// </remarks>
public sealed partial class MongoPositionStore : IPositionStore, IFleetEventStore, IDisposable
{
    private static readonly InsertManyOptions Unordered = new() { IsOrdered = false };
    private static readonly BulkWriteOptions UnorderedBulk = new() { IsOrdered = false };

    private readonly MongoClient _client;
    private readonly IMongoDatabase _database;
    private readonly IMongoCollection<PositionDocument> _positions;
    private readonly IMongoCollection<LatestDocument> _latest;
    private readonly IMongoCollection<FleetEventDocument> _events;
    private readonly IMongoCollection<FleetEventStateDocument> _eventStates;
    private readonly IMongoCollection<GeofenceDocument> _geofences;
    private readonly string _description;
    private volatile bool _initialized;

    /// <param name="connectionString">A <c>mongodb://</c> or <c>mongodb+srv://</c> URL. The client connects lazily.</param>
    /// <param name="databaseName">The database holding both collections.</param>
    public MongoPositionStore(string connectionString, string databaseName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseName);

        var url = MongoUrl.Create(connectionString);
        var settings = MongoClientSettings.FromUrl(url);
        _client = new MongoClient(settings);
        _database = _client.GetDatabase(databaseName);
        var writeConcern = settings.WriteConcern.IsServerDefault ? WriteConcern.WMajority.With(journal: true) : settings.WriteConcern;
        _positions = _database.GetCollection<PositionDocument>(PositionsCollection).WithWriteConcern(writeConcern);
        _latest = _database.GetCollection<LatestDocument>(LatestCollection).WithWriteConcern(writeConcern);
        _events = _database.GetCollection<FleetEventDocument>(FleetEventsCollection).WithWriteConcern(writeConcern);
        _eventStates = _database.GetCollection<FleetEventStateDocument>(FleetEventStateCollection).WithWriteConcern(writeConcern);
        _geofences = _database.GetCollection<GeofenceDocument>(GeofencesCollection).WithWriteConcern(writeConcern);
        // Hosts only: the connection string may carry a password.
        _description = $"MongoDB database {databaseName} at {string.Join(",", url.Servers)}";
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var names = await _database.ListCollectionNamesAsync(
            new ListCollectionNamesOptions { Filter = CollectionNamed(PositionsCollection) }, cancellationToken);
        if (!await names.AnyAsync(cancellationToken))
        {
            try
            {
                await _database.CreateCollectionAsync(PositionsCollection, PositionsCollectionOptions(), cancellationToken);
            }
            catch (MongoCommandException e) when (e.CodeName == "NamespaceExists")
            {
                // Another consumer or the tracker created it between our two calls: the same options, nothing to do.
            }
        }

        // Creating an index that exists with the same keys and options is a no-op on the server.
        await _positions.Indexes.CreateOneAsync(new CreateIndexModel<PositionDocument>(HistoryIndexKeys()), cancellationToken: cancellationToken);
        await _events.Indexes.CreateOneAsync(new CreateIndexModel<FleetEventDocument>(EventsByTimeKeys()), cancellationToken: cancellationToken);
        _initialized = true;
    }

    /// <remarks>
    /// Time-series collections cannot have unique indexes, so idempotency is checked before inserting: one query finds
    /// which of the batch's (vehicle, time) pairs are stored already and only the others are inserted. What remains is
    /// a race: two consumers inserting the same report at the same instant both see it missing and both insert it. The
    /// broker hands a message to one consumer at a time and redelivers it only after that consumer's connection dropped,
    /// so this needs a redelivery to overtake a write that is still in flight from a consumer that lost its connection.
    /// The outcome is one identical point twice in the history (a count one too high, a zero-length step in a trail);
    /// the latest position is unaffected (same time, newest-wins). Closing it would need a unique index on a second
    /// collection written on every append, which costs more than this rare, harmless duplicate.
    /// </remarks>
    public Task<int> AppendAsync(IReadOnlyCollection<VehiclePosition> positions, CancellationToken cancellationToken) =>
        StoredPositions.AppendAsync(positions, EnsureInitializedAsync, AppendPreparedAsync, cancellationToken);

    private async Task<int> AppendPreparedAsync(List<VehiclePosition> batch, CancellationToken cancellationToken)
    {
        var stored = await _positions.Find(StoredPairsFilter(batch)).Project(StoredPairsProjection()).ToListAsync(cancellationToken);
        var storedPairs = stored
            .Select(pair => (pair["vehicle"].AsString, pair["time"].AsBsonDateTime.MillisecondsSinceEpoch))
            .ToHashSet();
        var missing = batch.Where(position => !storedPairs.Contains((position.Vehicle, position.Time.ToUnixTimeMilliseconds()))).ToList();
        if (missing.Count > 0)
        {
            // Unordered: one failing document does not stop the others; a retry after a partial failure inserts only what
            // is still missing.
            await _positions.InsertManyAsync(missing.Select(PositionDocument.From), Unordered, cancellationToken);
        }

        var latestWrites = StoredPositions.NewestPerVehicle(batch)
            .Select(position => new UpdateOneModel<LatestDocument>(LatestFilter(position.Vehicle), LatestUpdate(position)) { IsUpsert = true })
            .ToList();
        await _latest.BulkWriteAsync(latestWrites, UnorderedBulk, cancellationToken);
        return missing.Count;
    }

    public Task<IReadOnlyDictionary<string, VehiclePosition>> GetLatestAsync(IReadOnlyCollection<string> vehicles, CancellationToken cancellationToken) =>
        StoredPositions.ByVehicleAsync<VehiclePosition>(vehicles, EnsureInitializedAsync, async latest =>
        {
            foreach (var document in await _latest.Find(LatestOfFilter(vehicles)).ToListAsync(cancellationToken))
            {
                latest[document.Vehicle] = document.ToPosition();
            }
        }, cancellationToken);

    public async Task<IReadOnlyList<VehiclePosition>> GetLatestOfAllAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        var documents = await _latest.Find(FilterDefinition<LatestDocument>.Empty).Sort(ByVehicle()).ToListAsync(cancellationToken);
        return documents.ConvertAll(document => document.ToPosition());
    }

    public async Task<IReadOnlyList<VehiclePosition>> GetHistoryAsync(
        string vehicle, DateTimeOffset? since, DateTimeOffset? until, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vehicle);
        StoredPositions.CheckLimit(limit);

        await EnsureInitializedAsync(cancellationToken);
        // Newest first so the limit keeps the end of the trail (and the index is walked backwards); reversed below.
        var newestFirst = await _positions.Find(HistoryFilter(vehicle, since, until))
            .Sort(NewestFirst())
            .Limit(limit)
            .ToListAsync(cancellationToken);
        var history = newestFirst.ConvertAll(document => document.ToPosition());
        history.Reverse();
        return history;
    }

    public async Task<IReadOnlyList<VehiclePosition>> GetFleetHistoryAsync(DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken)
    {
        StoredPositions.CheckLimit(limit);
        await EnsureInitializedAsync(cancellationToken);
        var documents = await _positions.Find(FleetHistoryFilter(since, until)).Sort(TimeThenVehicle()).Limit(limit).ToListAsync(cancellationToken);
        return documents.ConvertAll(document => document.ToPosition());
    }

    public async Task<long> CountAsync(string? vehicle, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        // CountDocuments counts measurements; the estimated count of a time-series collection would count buckets.
        return await _positions.CountDocumentsAsync(CountFilter(vehicle), cancellationToken: cancellationToken);
    }

    /// <remarks>
    /// One deleteMany: the server works through the matching buckets yielding as it goes, and other writers are not held
    /// back (WiredTiger locks documents, not the collection). It returns after the write concern of appends, so a
    /// returned count is what a majority of the replica set deleted.
    /// </remarks>
    public async Task<long> DeleteHistoryBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        var result = await _positions.DeleteManyAsync(HistoryBeforeFilter(cutoff), cancellationToken);
        return result.DeletedCount;
    }

    public Task PingAsync(CancellationToken cancellationToken) =>
        _database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);

    public void Dispose() => _client.Dispose();

    public override string ToString() => _description;

    // Until InitializeAsync succeeded (the hosted initializer may still be retrying), the first call does it. Above all,
    // an insert must never reach a missing "positions": the server would create it as a regular collection.
    private Task EnsureInitializedAsync(CancellationToken cancellationToken) =>
        _initialized ? Task.CompletedTask : InitializeAsync(cancellationToken);
}
