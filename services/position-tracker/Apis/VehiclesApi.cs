using Fleetman.Contracts.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleetman.PositionTracker.Apis;

/// <summary>
/// The original Fleetman tracker routes (<c>/vehicles/</c>, <c>/vehicles/{name}</c>, <c>/history/{name}</c>) and the
/// richer history routes (<c>/vehicles/{name}/history?from=&amp;to=&amp;limit=</c>, and the whole fleet's for a replay,
/// <c>/history?from=&amp;to=&amp;limit=</c>).
/// </summary>
public static class VehiclesApi
{
    /// <summary>Set on responses served from the store because Redis was unreachable.</summary>
    public const string SourceHeader = "X-Fleetman-Source";

    public static IEndpointRouteBuilder MapVehiclesApi(this IEndpointRouteBuilder app)
    {
        var vehicles = app.MapGroup("/vehicles");
        vehicles.MapGet("/", GetLatestOfAllAsync).WithOperation(FleetApiOperations.GetVehicles);
        vehicles.MapGet("/{name}", GetLatestAsync).WithOperation(FleetApiOperations.GetVehicle);
        vehicles.MapGet("/{name}/history", GetHistoryAsync).WithOperation(FleetApiOperations.GetVehicleHistory);
        app.MapGet("/history", GetFleetHistoryAsync).WithOperation(FleetApiOperations.GetFleetHistory);
        app.MapGet("/history/{name}", GetOriginalHistoryAsync).WithOperation(FleetApiOperations.GetHistory);
        return app;
    }

    public static async Task<Ok<VehiclePositionResponse[]>> GetLatestOfAllAsync(PositionReader reader, HttpResponse response, CancellationToken cancellationToken)
    {
        var (positions, fromStore) = await reader.GetLatestOfAllAsync(cancellationToken);
        if (fromStore)
        {
            response.Headers[SourceHeader] = "store";
        }

        return TypedResults.Ok(positions.Select(VehiclePositionResponse.From).ToArray());
    }

    public static async Task<Results<Ok<VehiclePositionResponse>, ProblemHttpResult>> GetLatestAsync(string name, PositionReader reader, CancellationToken cancellationToken) =>
        await reader.GetLatestAsync(name, cancellationToken) is { } position
            ? TypedResults.Ok(VehiclePositionResponse.From(position))
            : UnknownVehicle(name);

    public static async Task<Results<Ok<VehiclePositionResponse[]>, ProblemHttpResult>> GetOriginalHistoryAsync(
        string name, PositionReader reader, IOptions<TrackerOptions> options, CancellationToken cancellationToken)
    {
        var history = await reader.GetHistoryAsync(name, null, null, options.Value.MaxHistoryLimit, cancellationToken);
        return history.Count == 0
            ? UnknownVehicle(name)
            : TypedResults.Ok(history.Reverse().Select(VehiclePositionResponse.From).ToArray());
    }

    public static async Task<Results<Ok<FleetHistoryPointResponse[]>, ValidationProblem>> GetFleetHistoryAsync(
        string? from, string? to, string? limit, PositionReader reader, IOptions<TrackerOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var window = HistoryWindow.Parse(from, to, limit, options.Value, boundsRequired: true, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The history request has invalid parameters.");
        }

        var history = await reader.GetFleetHistoryAsync(window.Since!.Value, window.Until!.Value, window.Limit, cancellationToken);
        return TypedResults.Ok(history.Select(FleetHistoryPointResponse.From).ToArray());
    }

    public static async Task<Results<Ok<DetailedHistoryPointResponse[]>, ValidationProblem, ProblemHttpResult>> GetHistoryAsync(
        string name, string? from, string? to, string? limit, PositionReader reader, IOptions<TrackerOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var window = HistoryWindow.Parse(from, to, limit, options.Value, boundsRequired: false, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The history request has invalid parameters.");
        }

        var history = await reader.GetHistoryAsync(name, window.Since, window.Until, window.Limit, cancellationToken);
        if (history.Count == 0 && await reader.GetLatestAsync(name, cancellationToken) is null)
        {
            return UnknownVehicle(name);
        }

        return TypedResults.Ok(history.Select(DetailedHistoryPointResponse.From).ToArray());
    }

    private static ProblemHttpResult UnknownVehicle(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown vehicle", detail: $"No vehicle named '{name}' has reported a position.");
}
