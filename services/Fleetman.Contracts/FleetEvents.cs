using System.Security.Cryptography;

namespace Fleetman.Contracts;

/// <summary>What happened to a vehicle. A closed set: it is the <c>kind</c> label of <c>fleetman_fleet_events_total</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FleetEventKind>))]
public enum FleetEventKind
{
    /// <summary>Its speed went above its limit.</summary>
    [JsonStringEnumMemberName("overspeed_started")]
    OverspeedStarted,

    /// <summary>Its speed fell below its limit less the margin.</summary>
    [JsonStringEnumMemberName("overspeed_ended")]
    OverspeedEnded,

    /// <summary>It has stood still for the configured number of minutes.</summary>
    [JsonStringEnumMemberName("stopped")]
    Stopped,

    /// <summary>It moves again after a <see cref="Stopped"/> event.</summary>
    [JsonStringEnumMemberName("moving_again")]
    MovingAgain,

    /// <summary>It reported inside a geofence it was not inside before.</summary>
    [JsonStringEnumMemberName("geofence_entered")]
    GeofenceEntered,

    /// <summary>It reported outside a geofence it was inside before.</summary>
    [JsonStringEnumMemberName("geofence_left")]
    GeofenceLeft,
}

/// <summary>
/// One fleet event, derived by the queue-consumer from a vehicle's consecutive positions and stored once: its
/// <see cref="Id"/> is made of what caused it, so deriving it again (a redelivered batch, a second consumer) gives the
/// same id and the store keeps one.
/// </summary>
/// <param name="Id">See <see cref="IdOf"/>.</param>
/// <param name="Time">The time of the position that caused it.</param>
/// <param name="Latitude">Where that position was.</param>
/// <param name="SpeedKph">The speed from the vehicle's point before; null when unknown (its first report).</param>
/// <param name="Geofence">The geofence entered or left; null for the other kinds.</param>
/// <param name="LimitKph">The speed limit that applied, for the overspeed kinds; null for the others.</param>
public sealed record FleetEvent(
    string Id, string Vehicle, FleetEventKind Kind, DateTimeOffset Time, double Latitude, double Longitude, double? SpeedKph, string? Geofence, double? LimitKph)
{
    /// <summary>
    /// The deterministic id of an event: the SHA-256 of vehicle, kind, geofence and the position's Unix milliseconds
    /// (length-prefixed, so no name can be confused with another), its first 16 bytes in lowercase hex.
    /// </summary>
    public static string IdOf(string vehicle, FleetEventKind kind, string? geofence, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(vehicle);
        var key = $"{vehicle.Length}:{vehicle}|{kind}|{geofence?.Length ?? -1}:{geofence}|{time.ToUnixTimeMilliseconds()}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
    }
}

/// <summary>Published on <c>fleet-events</c> after new events are stored: only those stored for the first time, oldest first.</summary>
/// <param name="StoredAt">When they were stored.</param>
public sealed record FleetEventsOccurred(IReadOnlyList<FleetEvent> Events, DateTimeOffset StoredAt);

/// <summary>
/// A named polygon; a vehicle entering or leaving it is a fleet event. The ring is [latitude, longitude] pairs, at
/// least three, not closed (the last point joins the first). Edges are straight in latitude/longitude, which is close
/// enough for areas of a town's size.
/// </summary>
public sealed record Geofence(string Name, IReadOnlyList<double[]> Ring)
{
    public const int MaxNameLength = 100;
    public const int MaxPoints = 1_000;

    /// <summary>Why this geofence cannot be used, in one sentence; null when it can.</summary>
    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > MaxNameLength)
        {
            return $"a geofence needs a name of 1 to {MaxNameLength} characters";
        }

        if (Ring is null || Ring.Count < 3 || Ring.Count > MaxPoints)
        {
            return $"geofence '{Name}' needs a ring of 3 to {MaxPoints} [latitude, longitude] points";
        }

        for (var i = 0; i < Ring.Count; i++)
        {
            if (Ring[i] is not [var lat, var lng] || !double.IsFinite(lat) || !double.IsFinite(lng) || lat is < -90 or > 90 || lng is < -180 or > 180)
            {
                return $"point {i} of geofence '{Name}' is not a [latitude, longitude] pair within -90..90, -180..180";
            }
        }

        return null;
    }

    /// <summary>Whether a point is inside the ring (even-odd rule; a point exactly on an edge may fall either side).</summary>
    public bool Contains(double latitude, double longitude)
    {
        var inside = false;
        for (int i = 0, j = Ring.Count - 1; i < Ring.Count; j = i++)
        {
            var (latI, lngI) = (Ring[i][0], Ring[i][1]);
            var (latJ, lngJ) = (Ring[j][0], Ring[j][1]);
            if ((latI > latitude) != (latJ > latitude)
                && longitude < ((lngJ - lngI) * (latitude - latI) / (latJ - latI)) + lngI)
            {
                inside = !inside;
            }
        }

        return inside;
    }
}
