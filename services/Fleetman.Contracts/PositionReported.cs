namespace Fleetman.Contracts;

/// <summary>
/// A vehicle reported where it is: one message on <c>positionQueue</c>, with the original Fleetman field names
/// (<c>vehicle</c>, <c>lat</c>, <c>long</c>, <c>time</c>). Numbers may also arrive as strings, as the original sent them.
/// </summary>
public sealed record PositionReported(
    [property: JsonPropertyName("vehicle")] string Vehicle,
    [property: JsonPropertyName("lat")] double Latitude,
    [property: JsonPropertyName("long")] double Longitude,
    [property: JsonPropertyName("time"), JsonConverter(typeof(ReportTimeConverter))] DateTimeOffset Time);
