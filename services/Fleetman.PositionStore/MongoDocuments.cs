using Fleetman.Contracts;
using MongoDB.Bson.Serialization.Attributes;

namespace Fleetman.PositionStore;

/// <summary>
/// What both collections store of a position besides the vehicle's name, which each keys differently. The driver
/// writes a base class's fields first, so a document reads time, lat, lon, speed, heading, then the vehicle; no type
/// discriminator is written, as every collection holds one type.
/// </summary>
internal abstract class StoredPositionFields
{
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

    protected void CopyFrom(VehiclePosition position)
    {
        Time = position.Time.UtcDateTime;
        Latitude = position.Latitude;
        Longitude = position.Longitude;
        SpeedMph = position.SpeedMph;
        Heading = position.Heading;
    }

    protected VehiclePosition ToPosition(string vehicle) =>
        new(vehicle, Latitude, Longitude, new DateTimeOffset(DateTime.SpecifyKind(Time, DateTimeKind.Utc)), SpeedMph, Heading);
}

/// <summary>One report in the <c>positions</c> time-series collection (<c>vehicle</c> is its metaField, <c>time</c> its timeField).</summary>
[BsonIgnoreExtraElements] // the server adds an _id to every measurement; nothing here needs it
internal sealed class PositionDocument : StoredPositionFields
{
    [BsonElement("vehicle")]
    public string Vehicle { get; set; } = "";

    public static PositionDocument From(VehiclePosition position)
    {
        var document = new PositionDocument { Vehicle = position.Vehicle };
        document.CopyFrom(position);
        return document;
    }

    public VehiclePosition ToPosition() => ToPosition(Vehicle);
}

/// <summary>The newest position of one vehicle in the <c>latest</c> collection, keyed by the vehicle's name.</summary>
internal sealed class LatestDocument : StoredPositionFields
{
    [BsonId]
    public string Vehicle { get; set; } = "";

    public static LatestDocument From(VehiclePosition position)
    {
        var document = new LatestDocument { Vehicle = position.Vehicle };
        document.CopyFrom(position);
        return document;
    }

    public VehiclePosition ToPosition() => ToPosition(Vehicle);
}
