using Fleetman.ApiGateway.Live;

namespace Fleetman.ApiGateway;

/// <summary>
/// The JSON metadata of everything the api-gateway reads and writes, generated at build time: the REST answers and
/// request bodies (and the OpenAPI document's schemas of them), the hub's payloads, the tracker's history it reshapes.
/// The service is published trimmed, and a trimmed build turns System.Text.Json's reflection off: a type missing here
/// fails at run time there. The HTTP and hub options put it first in their resolver chains, so the tests use this
/// metadata too, with the options' own settings (strict numbers for the APIs, the protocol's for the hub).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(VehiclePositionResponse))]
[JsonSerializable(typeof(VehiclePositionResponse[]))]
[JsonSerializable(typeof(HistoryPointResponse[]))]
[JsonSerializable(typeof(DetailedHistoryPointResponse[]))]
[JsonSerializable(typeof(FleetHistoryPointResponse[]))]
[JsonSerializable(typeof(FleetSummaryResponse))]
[JsonSerializable(typeof(FleetEventResponse[]))]
[JsonSerializable(typeof(GeofenceResponse))]
[JsonSerializable(typeof(GeofenceResponse[]))]
[JsonSerializable(typeof(GeofenceRequest))]
[JsonSerializable(typeof(LivePosition[]))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class ApiGatewayJsonContext : JsonSerializerContext;
