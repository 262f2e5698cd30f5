using Fleetman.Contracts;

namespace Fleetman.PositionTracker.Apis;

/// <summary>A vehicle position in the original Fleetman's shape: <c>{name, lat, longitude, timestamp, speed}</c>.</summary>
public sealed record VehiclePositionResponse(string Name, double Lat, double Longitude, DateTimeOffset Timestamp, double? Speed)
{
    public static VehiclePositionResponse From(VehiclePosition p) => new(p.Vehicle, p.Latitude, p.Longitude, p.Time, p.SpeedMph);
}

/// <summary>A history point of the richer API, with heading.</summary>
public sealed record HistoryPointResponse(double Lat, double Lng, DateTimeOffset Time, double? Speed, double? Heading)
{
    public static HistoryPointResponse From(VehiclePosition p) => new(p.Latitude, p.Longitude, p.Time, p.SpeedMph, p.Heading);
}

/// <summary>The fleet at a glance.</summary>
public sealed record FleetSummaryResponse(int Vehicles, int Moving, int Stale, DateTimeOffset? NewestReport, DateTimeOffset At);
