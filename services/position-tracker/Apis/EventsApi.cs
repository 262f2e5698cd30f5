using Fleetman.Contracts.Api;
using Fleetman.PositionStore;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleetman.PositionTracker.Apis;

/// <summary>
/// Fleet events (<c>/events</c>) and the geofences they are derived from (<c>/geofences</c>). Changing a geofence needs
/// the admin user's credentials here too, not only at the edge (which forwards them); reading stays open.
/// </summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/events", GetEventsAsync).WithOperation(FleetApiOperations.GetFleetEvents);

        var geofences = app.MapGroup("/geofences");
        geofences.MapGet("/", GetGeofencesAsync).WithOperation(FleetApiOperations.GetGeofences);
        geofences.MapGet("/{name}", GetGeofenceAsync).WithOperation(FleetApiOperations.GetGeofence);
        geofences.MapPut("/{name}", SaveGeofenceAsync).RequireAdmin().WithOperation(FleetApiOperations.SaveGeofence);
        geofences.MapDelete("/{name}", DeleteGeofenceAsync).RequireAdmin().WithOperation(FleetApiOperations.DeleteGeofence);
        return app;
    }

    public static async Task<Results<Ok<FleetEventResponse[]>, ValidationProblem>> GetEventsAsync(
        string? since, string? limit, IFleetEventStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                from = parsed;
            }
            else
            {
                errors["since"] = [$"'{since}' is not a date and time; use ISO 8601, like 2026-03-01T12:00:00Z."];
            }
        }

        var count = FleetApiOperations.DefaultEventLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > FleetApiOperations.MaxEventLimit))
        {
            errors["limit"] = [$"limit must be a whole number from 1 to {FleetApiOperations.MaxEventLimit}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The events request has invalid parameters.");
        }

        var events = await store.GetEventsAsync(from, count, cancellationToken);
        return TypedResults.Ok(events.Select(FleetEventResponse.From).ToArray());
    }

    public static async Task<Ok<GeofenceResponse[]>> GetGeofencesAsync(IFleetEventStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.GetGeofencesAsync(cancellationToken)).Select(GeofenceResponse.From).ToArray());

    public static async Task<Results<Ok<GeofenceResponse>, ProblemHttpResult>> GetGeofenceAsync(string name, IFleetEventStore store, CancellationToken cancellationToken) =>
        (await store.GetGeofencesAsync(cancellationToken)).FirstOrDefault(g => g.Name == name) is { } geofence
            ? TypedResults.Ok(GeofenceResponse.From(geofence))
            : UnknownGeofence(name);

    public static async Task<Results<Ok<GeofenceResponse>, ValidationProblem>> SaveGeofenceAsync(
        string name, GeofenceRequest request, IFleetEventStore store, CancellationToken cancellationToken)
    {
        var geofence = new Geofence(name, request?.Ring ?? []);
        if (geofence.Problem() is { } problem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ring"] = [problem + "."] }, title: "The geofence is not usable.");
        }

        await store.SaveGeofenceAsync(geofence, cancellationToken);
        return TypedResults.Ok(GeofenceResponse.From(geofence));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteGeofenceAsync(string name, IFleetEventStore store, CancellationToken cancellationToken) =>
        await store.DeleteGeofenceAsync(name, cancellationToken)
            ? TypedResults.NoContent()
            : UnknownGeofence(name);

    private static ProblemHttpResult UnknownGeofence(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown geofence", detail: $"No geofence is named '{name}'.");
}
