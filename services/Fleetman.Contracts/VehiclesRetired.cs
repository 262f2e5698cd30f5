namespace Fleetman.Contracts;

/// <summary>
/// The simulator took vehicles out of its fleet (its <c>vehicles</c> setting was lowered): one message on
/// <c>vehicleRetirementQueue</c>, at most <see cref="MaxNames"/> names each. The queue-consumer removes them from the
/// latest positions unless they reported after <see cref="Time"/>.
/// </summary>
/// <param name="Names">The vehicles' names, as their reports carry them.</param>
/// <param name="Time">The simulated time they left (the clock their reports are stamped with): reports up to it are theirs from before.</param>
public sealed record VehiclesRetired(IReadOnlyList<string> Names, DateTimeOffset Time)
{
    /// <summary>The most names one message carries; a larger retirement is sent as several messages.</summary>
    public const int MaxNames = 1_000;
}

/// <summary>
/// Published on <c>vehicle-removals</c> once vehicles are gone from the latest positions (retired by the simulator, or
/// silent for the retention), for every api-gateway replica to tell its browsers and forget them.
/// </summary>
/// <param name="Names">The vehicles no longer in the fleet.</param>
/// <param name="RemovedAt">When the queue-consumer removed them.</param>
public sealed record VehiclesRemoved(IReadOnlyList<string> Names, DateTimeOffset RemovedAt);
