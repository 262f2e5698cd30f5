using Fleetman.Contracts.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace Fleetman.ApiGateway.Apis;

/// <summary>Fleet events (<c>/api/events?since=&amp;limit=</c>): the tracker's JSON passes through; a 503 while it is unavailable.</summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", GetEventsAsync).WithTags("Events").WithName("GetFleetEvents")
            .WithSummary("Fleet events with time ≥ `since` (optional, ISO 8601), newest first, at most `limit` (default 100, at most 1000); new ones are pushed on the hub as `fleetEvents`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static async Task<Results<TrackerJson<FleetEventResponse[]>, ProblemHttpResult>> GetEventsAsync(
        string? since, string? limit, TrackerClient tracker, HttpResponse response, CancellationToken cancellationToken)
    {
        var query = new Dictionary<string, string?> { ["since"] = since, ["limit"] = limit }.Where(p => p.Value is not null);
        try
        {
            return new TrackerJson<FleetEventResponse[]>(await tracker.GetAsync(QueryHelpers.AddQueryString("/events", query), cancellationToken));
        }
        catch (TrackerUnavailableException)
        {
            return VehiclesApi.TrackerUnavailable(response, "Fleet events");
        }
    }
}
