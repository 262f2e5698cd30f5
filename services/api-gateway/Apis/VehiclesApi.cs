using Microsoft.AspNetCore.WebUtilities;

namespace Fleetman.ApiGateway.Apis;

/// <summary>
/// The original Fleetman api-gateway's routes over the position-tracker (<c>/api/vehicles/</c>,
/// <c>/api/vehicles/{name}</c>, <c>/api/history/{name}</c>) and the richer history route
/// (<c>/api/vehicles/{name}/history?from=&amp;to=&amp;limit=</c>) and the whole fleet's for a replay
/// (<c>/api/history?from=&amp;to=&amp;limit=</c>). The vehicle list comes from memory (<see cref="VehicleList"/>) once
/// it is complete; otherwise, and on the other routes, the tracker's JSON passes through unchanged. While the tracker
/// is unavailable the latest positions come from Redis (<see cref="LastKnownPositions"/>) and history is a 503.
/// </summary>
public static class VehiclesApi
{
    public static IEndpointRouteBuilder MapVehiclesApi(this IEndpointRouteBuilder app)
    {
        var vehicles = app.MapGroup("/api/vehicles");
        vehicles.MapGet("/", GetLatestOfAllAsync)
            .WithOperation(FleetApiOperations.GetVehicles, "The latest position of every vehicle; the last known ones from Redis while the tracker is unavailable.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        vehicles.MapGet("/{name}", GetLatestAsync)
            .WithOperation(FleetApiOperations.GetVehicle, "The latest position of one vehicle; its last known one from Redis while the tracker is unavailable.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        vehicles.MapGet("/{name}/history", GetHistoryAsync).WithOperation(FleetApiOperations.GetVehicleHistory)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/api/history", GetFleetHistoryAsync).WithOperation(FleetApiOperations.GetFleetHistory)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/api/history/{name}", GetOriginalHistoryAsync)
            .WithOperation(FleetApiOperations.GetHistory, "One vehicle's trail as the original Fleetman gave it, `[{lat, lng}]` oldest first (the tracker's default history limit).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static async Task<Results<VehicleListResult, TrackerJson<VehiclePositionResponse[]>, Ok<VehiclePositionResponse[]>, ProblemHttpResult>> GetLatestOfAllAsync(
        VehicleList list, TrackerClient tracker, LastKnownPositions lastKnown, HttpResponse response, CancellationToken cancellationToken)
    {
        if (list.Current() is { } current)
        {
            return new VehicleListResult(current);
        }

        try
        {
            return new TrackerJson<VehiclePositionResponse[]>(await tracker.GetAsync("/vehicles/", cancellationToken));
        }
        catch (TrackerUnavailableException)
        {
            return await lastKnown.GetAllAsync(response, "vehicles") is { } positions
                ? TypedResults.Ok(positions.Select(VehiclePositionResponse.From).ToArray())
                : NoPositions(response);
        }
    }

    public static async Task<Results<TrackerJson<VehiclePositionResponse>, Ok<VehiclePositionResponse>, ProblemHttpResult>> GetLatestAsync(
        string name, TrackerClient tracker, LastKnownPositions lastKnown, HttpResponse response, CancellationToken cancellationToken)
    {
        try
        {
            return new TrackerJson<VehiclePositionResponse>(await tracker.GetAsync($"/vehicles/{Uri.EscapeDataString(name)}", cancellationToken));
        }
        catch (TrackerUnavailableException)
        {
            return await lastKnown.GetAsync(name, response, "vehicle") switch
            {
                { Position: { } position } => TypedResults.Ok(VehiclePositionResponse.From(position)),
                { Position: null } => UnknownVehicle(name),
                null => NoPositions(response),
            };
        }
    }

    public static Task<Results<TrackerJson<DetailedHistoryPointResponse[]>, ProblemHttpResult>> GetHistoryAsync(
        string name, string? from, string? to, string? limit, TrackerClient tracker, HttpResponse response, CancellationToken cancellationToken) =>
        HistoryWindowAsync<DetailedHistoryPointResponse>($"/vehicles/{Uri.EscapeDataString(name)}/history", from, to, limit, tracker, response, cancellationToken);

    public static Task<Results<TrackerJson<FleetHistoryPointResponse[]>, ProblemHttpResult>> GetFleetHistoryAsync(
        string? from, string? to, string? limit, TrackerClient tracker, HttpResponse response, CancellationToken cancellationToken) =>
        HistoryWindowAsync<FleetHistoryPointResponse>("/history", from, to, limit, tracker, response, cancellationToken);

    /// <summary>A history route with a window: the query goes to the tracker as given, which checks it.</summary>
    private static async Task<Results<TrackerJson<T[]>, ProblemHttpResult>> HistoryWindowAsync<T>(
        string trackerPath, string? from, string? to, string? limit, TrackerClient tracker, HttpResponse response, CancellationToken cancellationToken)
    {
        var query = new Dictionary<string, string?> { ["from"] = from, ["to"] = to, ["limit"] = limit }.Where(p => p.Value is not null);
        try
        {
            return new TrackerJson<T[]>(await tracker.GetAsync(QueryHelpers.AddQueryString(trackerPath, query), cancellationToken));
        }
        catch (TrackerUnavailableException)
        {
            return TrackerUnavailable(response, "History");
        }
    }

    public static async Task<Results<Ok<HistoryPointResponse[]>, TrackerJson<HistoryPointResponse[]>, ProblemHttpResult>> GetOriginalHistoryAsync(
        string name, TrackerClient tracker, HttpResponse response, CancellationToken cancellationToken)
    {
        TrackerAnswer answer;
        try
        {
            answer = await tracker.GetAsync($"/vehicles/{Uri.EscapeDataString(name)}/history", cancellationToken);
        }
        catch (TrackerUnavailableException)
        {
            return TrackerUnavailable(response, "History");
        }

        if (!answer.IsSuccess)
        {
            return new TrackerJson<HistoryPointResponse[]>(answer); // the tracker's 404 problem for an unknown vehicle
        }

        // The tracker's richer history is already oldest first; the original client wants only the coordinates.
        var points = JsonSerializer.Deserialize(answer.Body, ApiGatewayJsonContext.Default.DetailedHistoryPointResponseArray) ?? [];
        return TypedResults.Ok(points.Select(HistoryPointResponse.From).ToArray());
    }

    /// <summary>503 with a hint to retry: what was asked for only the tracker has.</summary>
    internal static ProblemHttpResult TrackerUnavailable(HttpResponse response, string what)
    {
        response.Headers.RetryAfter = "5";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The position tracker is unavailable",
            detail: $"{what} comes from the position tracker, which is unavailable at the moment. Try again shortly.");
    }

    private static ProblemHttpResult NoPositions(HttpResponse response)
    {
        response.Headers.RetryAfter = "5";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Positions are unavailable",
            detail: "Neither the position tracker nor the last known positions in Redis can be read at the moment. Try again shortly.");
    }

    private static ProblemHttpResult UnknownVehicle(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown vehicle", detail: $"No vehicle named '{name}' has reported a position.");
}
