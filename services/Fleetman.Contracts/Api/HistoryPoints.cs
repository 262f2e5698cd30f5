namespace Fleetman.Contracts.Api;

/// <summary>A point of the richer history route (<c>/vehicles/{name}/history</c>), with time, speed and heading.</summary>
/// <param name="Speed">Miles per hour; null for a vehicle's first report.</param>
/// <param name="Heading">Degrees clockwise from north; null when it did not move.</param>
public sealed record DetailedHistoryPointResponse(double Lat, double Lng, DateTimeOffset Time, double? Speed, double? Heading)
{
    public static DetailedHistoryPointResponse From(VehiclePosition p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.Latitude, p.Longitude, p.Time, p.SpeedMph, p.Heading);
    }
}

/// <summary>A point of the original Fleetman's trail route (the api-gateway's <c>/api/history/{name}</c>): <c>{lat, lng}</c>.</summary>
public sealed record HistoryPointResponse(double Lat, double Lng)
{
    public static HistoryPointResponse From(DetailedHistoryPointResponse p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.Lat, p.Lng);
    }
}

/// <summary>
/// A point of the fleet's history (the replay route <c>/api/history?from=&amp;to=</c>): a detailed point with the
/// vehicle it belongs to.
/// </summary>
public sealed record FleetHistoryPointResponse(string Name, double Lat, double Lng, DateTimeOffset Time, double? Speed, double? Heading)
{
    public static FleetHistoryPointResponse From(VehiclePosition p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.Vehicle, p.Latitude, p.Longitude, p.Time, p.SpeedMph, p.Heading);
    }
}
