namespace Fleetman.ApiGateway.Live;

/// <summary>
/// One vehicle position as the hub sends it, camelCase JSON:
/// <c>{"name":"City Truck","lat":53.38,"lng":-1.47,"time":"2026-11-22T12:00:00.5Z","speed":23.4,"heading":181.2}</c>.
/// </summary>
/// <param name="Time">When the vehicle reported it, UTC (ISO-8601 with <c>Z</c>).</param>
/// <param name="Speed">Miles per hour; null for a vehicle's first report.</param>
/// <param name="Heading">Degrees clockwise from north; null until the vehicle has moved.</param>
public sealed record LivePosition(string Name, double Lat, double Lng, DateTime Time, double? Speed, double? Heading)
{
    public static LivePosition From(VehiclePosition p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.Vehicle, p.Latitude, p.Longitude, p.Time.UtcDateTime, p.SpeedMph, p.Heading);
    }
}
