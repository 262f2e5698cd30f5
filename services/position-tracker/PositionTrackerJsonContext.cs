using Fleetman.Contracts.Api;

namespace Fleetman.PositionTracker;

/// <summary>
/// The JSON metadata of everything the tracker's API reads and writes, generated at build time: the answers and the
/// geofence body. A trimmed build turns System.Text.Json's reflection off, and then a type missing here fails every
/// route (the endpoints are built together, each resolving its types). The HTTP options put it first in their resolver
/// chain with their own settings (web names, strict numbers, as here); problems are ASP.NET Core's own
/// (ProblemDetailsJsonContext). Metadata made at build time also spares the start-up the reflection over each type.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(VehiclePositionResponse))]
[JsonSerializable(typeof(VehiclePositionResponse[]))]
[JsonSerializable(typeof(DetailedHistoryPointResponse[]))]
[JsonSerializable(typeof(FleetHistoryPointResponse[]))]
[JsonSerializable(typeof(FleetSummaryResponse))]
[JsonSerializable(typeof(FleetEventResponse[]))]
[JsonSerializable(typeof(GeofenceResponse))]
[JsonSerializable(typeof(GeofenceResponse[]))]
[JsonSerializable(typeof(GeofenceRequest))]
internal sealed partial class PositionTrackerJsonContext : JsonSerializerContext;
