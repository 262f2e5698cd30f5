namespace Fleetman.ApiGateway.Apis;

/// <summary>Fleet-wide figures from the tracker: <c>/api/fleet/summary</c>.</summary>
public static class FleetApi
{
    public static IEndpointRouteBuilder MapFleetApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/fleet/summary", GetSummaryAsync).WithOperation(FleetApiOperations.GetFleetSummary)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static async Task<Results<TrackerJson<FleetSummaryResponse>, ProblemHttpResult>> GetSummaryAsync(
        TrackerClient tracker, HttpResponse response, CancellationToken cancellationToken)
    {
        try
        {
            return new TrackerJson<FleetSummaryResponse>(await tracker.GetAsync("/fleet/summary", cancellationToken));
        }
        catch (TrackerUnavailableException)
        {
            return VehiclesApi.TrackerUnavailable(response, "The fleet summary");
        }
    }
}
