namespace Fleetman.Contracts.Api;

/// <summary>
/// A vehicle position in the original Fleetman's shape: <c>{name, lat, longitude, timestamp, speed}</c>. What the
/// position-tracker serves and the api-gateway passes on (or builds from Redis while the tracker is down).
/// </summary>
/// <param name="Timestamp">When the vehicle reported it.</param>
/// <param name="Speed">Miles per hour; null for a vehicle's first report.</param>
public sealed record VehiclePositionResponse(string Name, double Lat, double Longitude, DateTimeOffset Timestamp, double? Speed)
{
    public static VehiclePositionResponse From(VehiclePosition p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.Vehicle, p.Latitude, p.Longitude, p.Time, p.SpeedMph);
    }
}
