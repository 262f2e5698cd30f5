namespace Fleetman.Contracts.Api;

/// <summary>
/// A fleet event as the APIs and the hub serve it (<c>/api/events</c>, <c>fleetEvents</c>).
/// </summary>
/// <param name="Id">Stable: the same event always has the same id (a client drops one it already shows).</param>
/// <param name="Kind">overspeed_started, overspeed_ended, stopped, moving_again, geofence_entered or geofence_left.</param>
/// <param name="Time">The time of the position that caused it.</param>
/// <param name="SpeedKph">The speed then, km/h; null when unknown.</param>
/// <param name="Geofence">The geofence entered or left; null for the other kinds.</param>
/// <param name="LimitKph">The speed limit that applied, for the overspeed kinds; null for the others.</param>
public sealed record FleetEventResponse(
    string Id, string Vehicle, FleetEventKind Kind, DateTimeOffset Time, double Lat, double Lng, double? SpeedKph, string? Geofence, double? LimitKph)
{
    public static FleetEventResponse From(FleetEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Id, e.Vehicle, e.Kind, e.Time, e.Latitude, e.Longitude, e.SpeedKph, e.Geofence, e.LimitKph);
    }
}

/// <summary>A geofence as the admin API serves it: a name and a ring of [latitude, longitude] points.</summary>
public sealed record GeofenceResponse(string Name, double[][] Ring)
{
    public static GeofenceResponse From(Geofence geofence)
    {
        ArgumentNullException.ThrowIfNull(geofence);
        return new(geofence.Name, [.. geofence.Ring]);
    }
}

/// <summary>The body of <c>PUT /geofences/{name}</c>: the ring, [latitude, longitude] points, at least three, not closed.</summary>
public sealed record GeofenceRequest(double[][]? Ring);
