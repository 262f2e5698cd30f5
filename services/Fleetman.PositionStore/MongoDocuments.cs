using Fleetman.Contracts;
using MongoDB.Bson.Serialization.Attributes;

namespace Fleetman.PositionStore;

/// <summary>One report in the <c>positions</c> time-series collection (<c>vehicle</c> is its metaField, <c>time</c> its timeField).</summary>
[BsonIgnoreExtraElements] // the server adds an _id to every measurement; nothing here needs it
internal sealed class PositionDocument
{
    [BsonElement("vehicle")]
    public string Vehicle { get; set; } = "";

    [BsonElement("time")]
    public DateTime Time { get; set; }

    [BsonElement("lat")]
    public double Latitude { get; set; }

    [BsonElement("lon")]
    public double Longitude { get; set; }

    // Absent rather than null: a vehicle's first report has no speed, and time-series buckets compress missing fields best.
    [BsonElement("speed"), BsonIgnoreIfNull]
    public double? SpeedMph { get; set; }

    [BsonElement("heading"), BsonIgnoreIfNull]
    public double? Heading { get; set; }

    public static PositionDocument From(VehiclePosition position) => new()
    {
        Vehicle = position.Vehicle,
        Time = position.Time.UtcDateTime,
        Latitude = position.Latitude,
        Longitude = position.Longitude,
        SpeedMph = position.SpeedMph,
        Heading = position.Heading,
    };

    public VehiclePosition ToPosition() =>
        new(Vehicle, Latitude, Longitude, new DateTimeOffset(DateTime.SpecifyKind(Time, DateTimeKind.Utc)), SpeedMph, Heading);
}

/// <summary>The newest position of one vehicle in the <c>latest</c> collection, keyed by the vehicle's name.</summary>
internal sealed class LatestDocument
{
    [BsonId]
    public string Vehicle { get; set; } = "";

    [BsonElement("time")]
    public DateTime Time { get; set; }

    [BsonElement("lat")]
    public double Latitude { get; set; }

    [BsonElement("lon")]
    public double Longitude { get; set; }

    [BsonElement("speed"), BsonIgnoreIfNull]
    public double? SpeedMph { get; set; }

    [BsonElement("heading"), BsonIgnoreIfNull]
    public double? Heading { get; set; }

    public static LatestDocument From(VehiclePosition position) => new()
    {
        Vehicle = position.Vehicle,
        Time = position.Time.UtcDateTime,
        Latitude = position.Latitude,
        Longitude = position.Longitude,
        SpeedMph = position.SpeedMph,
        Heading = position.Heading,
    };

    public VehiclePosition ToPosition() =>
        new(Vehicle, Latitude, Longitude, new DateTimeOffset(DateTime.SpecifyKind(Time, DateTimeKind.Utc)), SpeedMph, Heading);
}
