using Microsoft.AspNetCore.SignalR;

namespace Fleetman.ApiGateway.Live;

/// <summary>
/// What the vehicle hub calls on a browser: the hub's server → client contract. The wire names stay the lower-case
/// ones clients register handlers for; the OpenAPI document lists them (<see cref="VehicleHubContract"/>), and the
/// webapp's constants are generated from it.
/// </summary>
public interface IVehicleClient
{
    /// <summary>Once, right after connecting: every vehicle's latest position.</summary>
    [HubMethodName(VehicleHubMethods.Snapshot)]
    Task Snapshot(LivePosition[] positions, CancellationToken cancellationToken);

    /// <summary>Then batches of newer positions, at most one frame per push interval (a followed vehicle's points at once).</summary>
    [HubMethodName(VehicleHubMethods.Positions)]
    Task Positions(LivePosition[] positions, CancellationToken cancellationToken);

    /// <summary>
    /// Vehicles that left the fleet (retired by the simulator, or silent for the retention): drop them. Sent to every
    /// connection, after any frame that still carried them; a name the client does not know is ignored.
    /// </summary>
    [HubMethodName(VehicleHubMethods.VehiclesRemoved)]
    Task VehiclesRemoved(string[] names, CancellationToken cancellationToken);

    /// <summary>
    /// Fleet events the queue-consumer just stored, oldest first; each is announced once (a client that also loaded
    /// <c>/api/events</c> drops the ids it already has).
    /// </summary>
    [HubMethodName(VehicleHubMethods.FleetEvents)]
    Task FleetEvents(FleetEventResponse[] events, CancellationToken cancellationToken);
}

/// <summary>What a browser may call on the vehicle hub: the hub's client → server contract.</summary>
public interface IVehicleHub
{
    /// <summary>Push every point of <paramref name="name"/> to this connection, as soon as it arrives.</summary>
    void Follow(string name);

    /// <summary>Back to the newest position of <paramref name="name"/> once per push interval.</summary>
    void Unfollow(string name);
}
