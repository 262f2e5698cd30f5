using Fleetman.Messaging;

namespace Fleetman.Contracts;

/// <summary>Where Fleetman's messages travel.</summary>
public static class Destinations
{
    /// <summary>Position reports from the simulator, consumed by competing queue-consumers (the original's queue name).</summary>
    public static readonly Destination Positions = Destination.Queue("positionQueue");

    /// <summary>What the queue-consumer stored, for the api-gateway replicas to push to browsers.</summary>
    public static readonly Destination VehicleUpdates = Destination.Topic("vehicle-updates");
}
