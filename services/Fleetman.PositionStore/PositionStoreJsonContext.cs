namespace Fleetman.PositionStore;

/// <summary>
/// The JSON the SQLite store keeps and queries with, its metadata generated at build time: the vehicle names of a
/// query (one <c>json_each</c> parameter), a vehicle's fleet-event state, a geofence's ring. The default options, as
/// <c>JsonSerializer</c> used them by reflection before: the same text is written, so a file written by either build
/// reads in the other. No reflection: a trimmed build has none, and the metadata is made once, not at first use.
/// </summary>
[JsonSerializable(typeof(IReadOnlyCollection<string>))]
[JsonSerializable(typeof(FleetEventState))]
[JsonSerializable(typeof(IReadOnlyList<double[]>))]
[JsonSerializable(typeof(List<double[]>))]
internal sealed partial class PositionStoreJsonContext : JsonSerializerContext;
