namespace Fleetman.Contracts;

/// <summary>
/// A stored position of one vehicle: what the queue-consumer writes, the store keeps and the APIs serve.
/// A vehicle has at most one position per <see cref="Time"/> ("a vehicle can't be in two places at the same time").
/// </summary>
/// <param name="SpeedMph">From the vehicle's previous stored point; null for its first report.</param>
/// <param name="Heading">Degrees clockwise from north towards this point; null when it did not move.</param>
public sealed record VehiclePosition(string Vehicle, double Latitude, double Longitude, DateTimeOffset Time, double? SpeedMph, double? Heading);

/// <summary>Published on <c>vehicle-updates</c> after a batch is stored: every position of the batch, oldest first per vehicle.</summary>
/// <param name="StoredAt">When the write completed, so subscribers can measure push lag.</param>
public sealed record VehiclePositionsUpdated(IReadOnlyList<VehiclePosition> Positions, DateTimeOffset StoredAt);
