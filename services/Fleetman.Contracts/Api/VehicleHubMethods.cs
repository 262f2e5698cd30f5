namespace Fleetman.Contracts.Api;

/// <summary>
/// The wire names of the vehicle hub's methods (<c>/hubs/vehicles</c>). The api-gateway declares its hub with them and
/// the .NET clients (load generator, benchmarks, chaos tests) register and invoke them from here, so a rename is one
/// edit every side follows; this assembly references nothing but the base library, so a client gets the names
/// without the service. The webapp's names are generated from the OpenAPI document made from the same declarations.
/// </summary>
public static class VehicleHubMethods
{
    /// <summary>Server → client, once right after connecting: every vehicle's latest position.</summary>
    public const string Snapshot = "snapshot";

    /// <summary>Server → client: batches of newer positions.</summary>
    public const string Positions = "positions";

    /// <summary>Server → client: names of vehicles that left the fleet.</summary>
    public const string VehiclesRemoved = "vehiclesRemoved";

    /// <summary>Server → client: fleet events (overspeed, stopped, geofence) as they are derived.</summary>
    public const string FleetEvents = "fleetEvents";

    /// <summary>Client → server: push every point of one vehicle to this connection.</summary>
    public const string Follow = "Follow";

    /// <summary>Client → server: back to one position per push interval for that vehicle.</summary>
    public const string Unfollow = "Unfollow";
}
