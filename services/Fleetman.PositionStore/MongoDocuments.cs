using MongoDB.Bson.Serialization.Attributes;

namespace Fleetman.PositionStore;

/// <summary>
/// Where and when: what every document about a vehicle's point stores (a position, the latest one, a fleet event, a
/// vehicle's event state). The driver writes a base class's fields first, so these come first; no type discriminator
/// is written, as every collection holds one type.
/// </summary>
internal abstract class StoredPointFields
{
    [BsonElement("time")]
    public DateTime Time { get; set; }

    [BsonElement("lat")]
    public double Latitude { get; set; }

    [BsonElement("lon")]
    public double Longitude { get; set; }

    /// <summary>A BSON date as the UTC instant it was written as (the driver may hand it back as an unspecified kind).</summary>
    protected static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}

/// <summary>
/// What both position collections store besides the vehicle's name, which each keys differently: a document reads time,
/// lat, lon, speed, heading, then the vehicle.
/// </summary>
internal abstract class StoredPositionFields : StoredPointFields
{
    // Absent rather than null: a vehicle's first report has no speed, and time-series buckets compress missing fields best.
    [BsonElement("speed"), BsonIgnoreIfNull]
    public double? SpeedMph { get; set; }

    [BsonElement("heading"), BsonIgnoreIfNull]
    public double? Heading { get; set; }

    /// <summary>The <paramref name="document"/>, already keyed by the vehicle, with the position's fields.</summary>
    protected static TDocument Filled<TDocument>(TDocument document, VehiclePosition position)
        where TDocument : StoredPositionFields
    {
        document.Time = position.Time.UtcDateTime;
        document.Latitude = position.Latitude;
        document.Longitude = position.Longitude;
        document.SpeedMph = position.SpeedMph;
        document.Heading = position.Heading;
        return document;
    }

    protected VehiclePosition ToPosition(string vehicle) => new(vehicle, Latitude, Longitude, Utc(Time), SpeedMph, Heading);
}

/// <summary>One report in the <c>positions</c> time-series collection (<c>vehicle</c> is its metaField, <c>time</c> its timeField).</summary>
[BsonIgnoreExtraElements] // the server adds an _id to every measurement; nothing here needs it
internal sealed class PositionDocument : StoredPositionFields
{
    [BsonElement("vehicle")]
    public string Vehicle { get; set; } = "";

    public static PositionDocument From(VehiclePosition position) => Filled(new PositionDocument { Vehicle = position.Vehicle }, position);

    public VehiclePosition ToPosition() => ToPosition(Vehicle);
}

/// <summary>The newest position of one vehicle in the <c>latest</c> collection, keyed by the vehicle's name.</summary>
internal sealed class LatestDocument : StoredPositionFields
{
    [BsonId]
    public string Vehicle { get; set; } = "";

    public static LatestDocument From(VehiclePosition position) => Filled(new LatestDocument { Vehicle = position.Vehicle }, position);

    public VehiclePosition ToPosition() => ToPosition(Vehicle);
}

/// <summary>One fleet event in <c>fleet_events</c>, keyed by its deterministic id.</summary>
internal sealed class FleetEventDocument : StoredPointFields
{
    [BsonId]
    public string Id { get; set; } = "";

    [BsonElement("vehicle")]
    public string Vehicle { get; set; } = "";

    // The member's name (OverspeedStarted, ...), as SQLite stores it.
    [BsonElement("kind"), BsonRepresentation(MongoDB.Bson.BsonType.String)]
    public FleetEventKind Kind { get; set; }

    [BsonElement("geofence"), BsonIgnoreIfNull]
    public string? Geofence { get; set; }

    [BsonElement("speedKph"), BsonIgnoreIfNull]
    public double? SpeedKph { get; set; }

    [BsonElement("limitKph"), BsonIgnoreIfNull]
    public double? LimitKph { get; set; }

    public static FleetEventDocument From(FleetEvent e) => new()
    {
        Id = e.Id,
        Time = e.Time.UtcDateTime,
        Vehicle = e.Vehicle,
        Kind = e.Kind,
        Geofence = e.Geofence,
        Latitude = e.Latitude,
        Longitude = e.Longitude,
        SpeedKph = e.SpeedKph,
        LimitKph = e.LimitKph,
    };

    public FleetEvent ToEvent() =>
        new(Id, Vehicle, Kind, Utc(Time), Latitude, Longitude, SpeedKph, Geofence, LimitKph);
}

/// <summary>One vehicle's fleet event state in <c>fleet_event_state</c>, keyed by the vehicle's name.</summary>
internal sealed class FleetEventStateDocument : StoredPointFields
{
    [BsonId]
    public string Vehicle { get; set; } = "";

    [BsonElement("overspeeding")]
    public bool Overspeeding { get; set; }

    [BsonElement("slowSince"), BsonIgnoreIfNull]
    public DateTime? SlowSince { get; set; }

    [BsonElement("stopped")]
    public bool Stopped { get; set; }

    [BsonElement("inside")]
    public List<string> Inside { get; set; } = [];

    public static FleetEventStateDocument From(FleetEventState state) => new()
    {
        Vehicle = state.Vehicle,
        Time = StoredPositions.Truncate(state.Time).UtcDateTime,
        Latitude = state.Latitude,
        Longitude = state.Longitude,
        Overspeeding = state.Overspeeding,
        SlowSince = state.SlowSince?.UtcDateTime,
        Stopped = state.Stopped,
        Inside = [.. state.Inside],
    };

    public FleetEventState ToState() => new(
        Vehicle, Utc(Time), Latitude, Longitude, Overspeeding, SlowSince is { } slow ? Utc(slow) : null, Stopped, Inside);
}

/// <summary>One geofence in <c>geofences</c>, keyed by its name.</summary>
internal sealed class GeofenceDocument
{
    [BsonId]
    public string Name { get; set; } = "";

    [BsonElement("ring")]
    public List<double[]> Ring { get; set; } = [];

    public static GeofenceDocument From(Geofence geofence) => new() { Name = geofence.Name, Ring = [.. geofence.Ring] };

    public Geofence ToGeofence() => new(Name, Ring);
}
