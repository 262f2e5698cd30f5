using System.Net.Http.Headers;
using Microsoft.AspNetCore.WebUtilities;

namespace Fleetman.ApiGateway.Apis;

/// <summary>
/// Fleet events (<c>/api/events?since=&amp;limit=</c>) and the geofences they are derived from (<c>/api/geofences</c>):
/// the tracker's JSON and problems pass through; a 503 while it is unavailable.
/// </summary>
/// <remarks>
/// The geofences are managed under <c>/api</c>, not behind the edge's <c>/admin</c> routes: the edge forwards every
/// method and the <c>Authorization</c> header on <c>/api/…</c> as they come, so the state-changing routes check the
/// admin credentials here (the same <c>Admin__Password</c> as the edge's) and hand them on to the tracker, which checks
/// them again. Reading stays open, like the events.
/// </remarks>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", GetEventsAsync)
            .WithOperation(FleetApiOperations.GetFleetEvents, FleetApiOperations.GetFleetEvents.Summary.TrimEnd('.') + "; new ones are pushed on the hub as `fleetEvents`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        var geofences = app.MapGroup("/api/geofences")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        geofences.MapGet("", GetGeofencesAsync).WithOperation(FleetApiOperations.GetGeofences);
        geofences.MapGet("/{name}", GetGeofenceAsync).WithOperation(FleetApiOperations.GetGeofence)
            .ProducesProblem(StatusCodes.Status404NotFound);
        geofences.MapPut("/{name}", SaveGeofenceAsync).RequireAdmin()
            .WithOperation(
                FleetApiOperations.SaveGeofence,
                "Creates the geofence or replaces its ring (admin credentials, HTTP Basic); the queue-consumers use it within their geofence refresh (5 s).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        geofences.MapDelete("/{name}", DeleteGeofenceAsync).RequireAdmin()
            .WithOperation(FleetApiOperations.DeleteGeofence, "Deletes the geofence (admin credentials, HTTP Basic); vehicles inside it leave it without an event.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
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

    public static Task<Results<TrackerJson<GeofenceResponse[]>, ProblemHttpResult>> GetGeofencesAsync(
        TrackerClient tracker, HttpResponse response, CancellationToken cancellationToken) =>
        PassThroughAsync<GeofenceResponse[]>(() => tracker.GetAsync("/geofences", cancellationToken), response);

    public static Task<Results<TrackerJson<GeofenceResponse>, ProblemHttpResult>> GetGeofenceAsync(
        string name, TrackerClient tracker, HttpResponse response, CancellationToken cancellationToken) =>
        PassThroughAsync<GeofenceResponse>(() => tracker.GetAsync(GeofencePath(name), cancellationToken), response);

    public static Task<Results<TrackerJson<GeofenceResponse>, ProblemHttpResult>> SaveGeofenceAsync(
        string name, GeofenceRequest request, TrackerClient tracker, HttpRequest http, HttpResponse response, CancellationToken cancellationToken) =>
        PassThroughAsync<GeofenceResponse>(
            () => tracker.SendAsync(HttpMethod.Put, GeofencePath(name), JsonContent.Create(request, ApiGatewayJsonContext.Default.GeofenceRequest), Credentials(http), cancellationToken), response);

    public static async Task<IResult> DeleteGeofenceAsync(
        string name, TrackerClient tracker, HttpRequest http, HttpResponse response, CancellationToken cancellationToken)
    {
        // A 204 has no body to pass on; anything else from the tracker (its 404 or 401 problem) goes through as it came.
        var answer = await PassThroughAsync<GeofenceResponse>(
            () => tracker.SendAsync(HttpMethod.Delete, GeofencePath(name), null, Credentials(http), cancellationToken), response);
        return answer.Result is TrackerJson<GeofenceResponse> { StatusCode: StatusCodes.Status204NoContent } ? TypedResults.NoContent() : answer.Result;
    }

    private static async Task<Results<TrackerJson<T>, ProblemHttpResult>> PassThroughAsync<T>(Func<Task<TrackerAnswer>> send, HttpResponse response)
    {
        try
        {
            return new TrackerJson<T>(await send());
        }
        catch (TrackerUnavailableException)
        {
            return VehiclesApi.TrackerUnavailable(response, "Geofences");
        }
    }

    private static string GeofencePath(string name) => "/geofences/" + Uri.EscapeDataString(name);

    // RequireAdmin has checked it: the tracker gets the same credentials and checks them on its own port.
    private static AuthenticationHeaderValue Credentials(HttpRequest http) => AuthenticationHeaderValue.Parse(http.Headers.Authorization.ToString());
}
