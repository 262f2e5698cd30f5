using MongoDB.Bson;
using MongoDB.Driver;

namespace Fleetman.PositionStore;

/// <summary>
/// Every collection option, index, filter, sort, projection and update the MongoDB store sends, built here so the tests
/// can render each one to BSON and compare it with what the server is meant to receive, without a server.
/// </summary>
internal static class MongoDefinitions
{
    public const string PositionsCollection = "positions";
    public const string LatestCollection = "latest";
    public const string FleetEventsCollection = "fleet_events";
    public const string FleetEventStateCollection = "fleet_event_state";
    public const string GeofencesCollection = "geofences";

    private static FilterDefinitionBuilder<PositionDocument> Positions => Builders<PositionDocument>.Filter;
    private static FilterDefinitionBuilder<LatestDocument> Latest => Builders<LatestDocument>.Filter;

    /// <summary>
    /// A time-series collection: measurements of one vehicle (the metaField) are stored together in buckets ordered by
    /// time, compressed, and found by the bucket's vehicle and time bounds. Reports arrive seconds apart.
    /// </summary>
    public static CreateCollectionOptions PositionsCollectionOptions() => new()
    {
        TimeSeriesOptions = new TimeSeriesOptions("time", "vehicle", TimeSeriesGranularity.Seconds),
    };

    /// <summary>Finds whether the positions collection exists already.</summary>
    public static FilterDefinition<BsonDocument> CollectionNamed(string name) => Builders<BsonDocument>.Filter.Eq("name", name);

    /// <summary>
    /// "History of one vehicle, newest first": an equality on the metaField then a range on time, walked backwards so a
    /// limit stops early. (Time-series collections cannot have unique indexes, so this one cannot enforce idempotency.)
    /// </summary>
    public static IndexKeysDefinition<PositionDocument> HistoryIndexKeys() =>
        Builders<PositionDocument>.IndexKeys.Ascending(position => position.Vehicle).Descending(position => position.Time);

    /// <summary>Positions of one vehicle with since ≤ time ≤ until, bounds truncated to milliseconds as stored times are.</summary>
    public static FilterDefinition<PositionDocument> HistoryFilter(string vehicle, DateTimeOffset? since, DateTimeOffset? until)
    {
        var filter = Positions.Eq(position => position.Vehicle, vehicle);
        if (since is { } from)
        {
            filter &= Positions.Gte(position => position.Time, StoredPositions.Truncate(from).UtcDateTime);
        }

        if (until is { } to)
        {
            filter &= Positions.Lte(position => position.Time, StoredPositions.Truncate(to).UtcDateTime);
        }

        return filter;
    }

    public static SortDefinition<PositionDocument> NewestFirst() => Builders<PositionDocument>.Sort.Descending(position => position.Time);

    /// <summary>
    /// Which of a prepared batch's (vehicle, time) pairs are stored already: one query over the batch's vehicles and
    /// time span (served by the history index). It may return a few more pairs than asked; only matches are used.
    /// </summary>
    public static FilterDefinition<PositionDocument> StoredPairsFilter(IReadOnlyCollection<VehiclePosition> batch)
    {
        var vehicles = batch.Select(position => position.Vehicle).Distinct(StringComparer.Ordinal);
        return Positions.In(position => position.Vehicle, vehicles)
            & Positions.Gte(position => position.Time, batch.Min(position => position.Time).UtcDateTime)
            & Positions.Lte(position => position.Time, batch.Max(position => position.Time).UtcDateTime);
    }

    /// <summary>Only the key of each stored position: small replies, and the server can answer from the buckets' fields.</summary>
    public static ProjectionDefinition<PositionDocument> StoredPairsProjection() =>
        Builders<PositionDocument>.Projection.Include(position => position.Vehicle).Include(position => position.Time).Exclude("_id");

    /// <summary>
    /// Every measurement older than the cutoff, by the timeField alone: MongoDB 7.0 and later delete from a time-series
    /// collection with any filter (5.1 to 6.3 accepted only filters on the metaField); every deployment runs 8.0.
    /// </summary>
    /// <summary>Every vehicle's positions in a window (both bounds included), for a replay.</summary>
    public static FilterDefinition<PositionDocument> FleetHistoryFilter(DateTimeOffset since, DateTimeOffset until) =>
        Positions.Gte(position => position.Time, StoredPositions.Truncate(since).UtcDateTime)
        & Positions.Lte(position => position.Time, StoredPositions.Truncate(until).UtcDateTime);

    /// <summary>Time order, then vehicle name: the order a replay plays positions in, the same on every page.</summary>
    public static SortDefinition<PositionDocument> TimeThenVehicle() =>
        Builders<PositionDocument>.Sort.Ascending(position => position.Time).Ascending(position => position.Vehicle);

    public static FilterDefinition<PositionDocument> HistoryBeforeFilter(DateTimeOffset cutoff) =>
        Positions.Lt(position => position.Time, StoredPositions.Truncate(cutoff).UtcDateTime);

    public static FilterDefinition<PositionDocument> CountFilter(string? vehicle) =>
        vehicle is null ? Positions.Empty : Positions.Eq(position => position.Vehicle, vehicle);

    public static FilterDefinition<LatestDocument> LatestFilter(string vehicle) => Latest.Eq(latest => latest.Vehicle, vehicle);

    public static FilterDefinition<LatestDocument> LatestOfFilter(IEnumerable<string> vehicles) => Latest.In(latest => latest.Vehicle, vehicles);

    /// <summary>By name: string _id values sort in UTF-8 byte order, as SQLite's BINARY collation does.</summary>
    public static SortDefinition<LatestDocument> ByVehicle() => Builders<LatestDocument>.Sort.Ascending(latest => latest.Vehicle);

    /// <summary>
    /// Newest-wins upsert of a vehicle's latest position, used with <see cref="LatestFilter"/> and IsUpsert. The document
    /// is replaced only when the stored one is older; a missing document (no <c>time</c> yet, which compares lower
    /// than any date) is created. One atomic update on one document, so concurrent consumers cannot move the latest
    /// position backwards, and the filter being an equality on <c>_id</c> alone lets the server retry an upsert that
    /// raced another one for a new vehicle. <c>$literal</c> keeps a value such as a vehicle named <c>"$x"</c> from
    /// being read as a field path.
    /// </summary>
    public static UpdateDefinition<LatestDocument> LatestUpdate(VehiclePosition position)
    {
        var replacement = LatestDocument.From(position).ToBsonDocument();
        var newer = new BsonDocument("$lt", new BsonArray { "$time", new BsonDateTime(position.Time.UtcDateTime) });
        var stage = new BsonDocument("$replaceWith", new BsonDocument("$cond", new BsonArray
        {
            newer,
            new BsonDocument("$literal", replacement),
            "$$ROOT",
        }));
        return Builders<LatestDocument>.Update.Pipeline(PipelineDefinition<LatestDocument, LatestDocument>.Create(stage));
    }

    /// <summary>"Events since, newest first": the order <c>GET /events</c> reads.</summary>
    public static IndexKeysDefinition<FleetEventDocument> EventsByTimeKeys() =>
        Builders<FleetEventDocument>.IndexKeys.Descending(e => e.Time).Ascending(e => e.Id);

    public static FilterDefinition<FleetEventDocument> EventsSinceFilter(DateTimeOffset? since) =>
        since is { } from ? Builders<FleetEventDocument>.Filter.Gte(e => e.Time, StoredPositions.Truncate(from).UtcDateTime) : Builders<FleetEventDocument>.Filter.Empty;

    public static SortDefinition<FleetEventDocument> NewestEventsFirst() => Builders<FleetEventDocument>.Sort.Descending(e => e.Time).Ascending(e => e.Id);

    public static FilterDefinition<FleetEventStateDocument> EventStatesOfFilter(IEnumerable<string> vehicles) =>
        Builders<FleetEventStateDocument>.Filter.In(state => state.Vehicle, vehicles);

    /// <summary>The vehicle's state if it is older than <paramref name="time"/> (the newest-wins upsert's filter).</summary>
    public static FilterDefinition<FleetEventStateDocument> OlderEventStateFilter(string vehicle, DateTime time) =>
        Builders<FleetEventStateDocument>.Filter.Eq(state => state.Vehicle, vehicle) & Builders<FleetEventStateDocument>.Filter.Lt(state => state.Time, time);

    public static FilterDefinition<GeofenceDocument> GeofenceFilter(string name) => Builders<GeofenceDocument>.Filter.Eq(geofence => geofence.Name, name);

    public static SortDefinition<GeofenceDocument> GeofencesByName() => Builders<GeofenceDocument>.Sort.Ascending(geofence => geofence.Name);
}
