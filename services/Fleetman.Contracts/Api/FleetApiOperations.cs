namespace Fleetman.Contracts.Api;

/// <summary>One operation of the fleet's HTTP API as the OpenAPI documents tag, name and describe it.</summary>
public sealed record ApiOperation(string Tag, string Name, string Summary);

/// <summary>
/// The operations the position-tracker serves and the api-gateway serves again under <c>/api</c>. Both documents give
/// each the same tag, name and summary from here (the webapp's generated client is named after them); where the
/// api-gateway answers differently (a fallback while the tracker is down, the hub, credentials) it says so in a
/// summary of its own.
/// </summary>
public static class FleetApiOperations
{
    /// <summary>How many fleet events one request gets when it names no <c>limit</c>.</summary>
    public const int DefaultEventLimit = 100;

    /// <summary>The most fleet events one request gets.</summary>
    public const int MaxEventLimit = 1_000;

    public static readonly ApiOperation GetVehicles = new("Vehicles", "GetVehicles", "The latest position of every vehicle.");

    public static readonly ApiOperation GetVehicle = new("Vehicles", "GetVehicle", "The latest position of one vehicle.");

    public static readonly ApiOperation GetVehicleHistory = new("Vehicles", "GetVehicleHistory",
        "One vehicle's positions in a time range, oldest first; the most recent `limit` when more match.");

    public static readonly ApiOperation GetFleetHistory = new("Vehicles", "GetFleetHistory",
        "Every vehicle's positions from `from` to `to` (both required, both included) in time order, the first `limit`: a replay reads on from the last time it got.");

    public static readonly ApiOperation GetHistory = new("Vehicles", "GetHistory", "One vehicle's history, newest first (the original Fleetman's route and order).");

    public static readonly ApiOperation GetFleetSummary = new("Fleet", "GetFleetSummary",
        "How many vehicles there are, how many are moving and how many have gone quiet.");

    public static readonly ApiOperation GetFleetEvents = new("Events", "GetFleetEvents",
        $"Fleet events with time ≥ `since` (optional, ISO 8601), newest first, at most `limit` (default {DefaultEventLimit}, at most {MaxEventLimit}).");

    public static readonly ApiOperation GetGeofences = new("Geofences", "GetGeofences",
        "The geofences stored through this API (the queue-consumer also uses those of its configuration).");

    public static readonly ApiOperation GetGeofence = new("Geofences", "GetGeofence", "One stored geofence, or a 404 problem.");

    public static readonly ApiOperation SaveGeofence = new("Geofences", "SaveGeofence",
        "Creates the geofence or replaces its ring; the queue-consumers use it within their geofence refresh (5 s).");

    public static readonly ApiOperation DeleteGeofence = new("Geofences", "DeleteGeofence", "Deletes the geofence; vehicles inside it leave it without an event.");
}
