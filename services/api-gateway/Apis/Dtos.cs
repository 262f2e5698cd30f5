using Fleetman.Contracts;

namespace Fleetman.ApiGateway.Apis;

// The tracker's shapes, for the OpenAPI document and the fallback; its JSON passes through unchanged otherwise.

/// <summary>A vehicle position in the original Fleetman's shape: <c>{name, lat, longitude, timestamp, speed}</c>.</summary>
public sealed record VehiclePositionResponse(string Name, double Lat, double Longitude, DateTimeOffset Timestamp, double? Speed)
{
    public static VehiclePositionResponse From(VehiclePosition p) => new(p.Vehicle, p.Latitude, p.Longitude, p.Time, p.SpeedMph);
}

/// <summary>A point of the original Fleetman's history route: <c>{lat, lng}</c>.</summary>
public sealed record HistoryPointResponse(double Lat, double Lng);

/// <summary>A point of the richer history route, with time, speed and heading.</summary>
public sealed record DetailedHistoryPointResponse(double Lat, double Lng, DateTimeOffset Time, double? Speed, double? Heading);

/// <summary>The fleet at a glance.</summary>
public sealed record FleetSummaryResponse(int Vehicles, int Moving, int Stale, DateTimeOffset? NewestReport, DateTimeOffset At);
