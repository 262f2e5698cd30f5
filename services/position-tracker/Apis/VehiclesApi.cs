using System.Globalization;
using Fleetman.Contracts.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Fleetman.PositionTracker.Apis;

/// <summary>
/// The original Fleetman tracker routes (<c>/vehicles/</c>, <c>/vehicles/{name}</c>, <c>/history/{name}</c>) and the
/// richer history route (<c>/vehicles/{name}/history?from=&amp;to=&amp;limit=</c>).
/// </summary>
public static class VehiclesApi
{
    /// <summary>Set on responses served from the store because Redis was unreachable.</summary>
    public const string SourceHeader = "X-Fleetman-Source";

    public static IEndpointRouteBuilder MapVehiclesApi(this IEndpointRouteBuilder app)
    {
        var vehicles = app.MapGroup("/vehicles").WithTags("Vehicles");
        vehicles.MapGet("/", GetLatestOfAllAsync).WithName("GetVehicles").WithSummary("The latest position of every vehicle.");
        vehicles.MapGet("/{name}", GetLatestAsync).WithName("GetVehicle").WithSummary("The latest position of one vehicle.");
        vehicles.MapGet("/{name}/history", GetHistoryAsync).WithName("GetVehicleHistory")
            .WithSummary("One vehicle's positions in a time range, oldest first; the most recent `limit` when more match.");
        app.MapGet("/history/{name}", GetOriginalHistoryAsync).WithTags("Vehicles").WithName("GetHistory")
            .WithSummary("One vehicle's history, newest first (the original Fleetman's route and order).");
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

    public static async Task<Results<Ok<DetailedHistoryPointResponse[]>, ValidationProblem, ProblemHttpResult>> GetHistoryAsync(
        string name, string? from, string? to, string? limit, PositionReader reader, IOptions<TrackerOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var since = ParseTime(from, nameof(from), errors);
        var until = ParseTime(to, nameof(to), errors);
        var count = options.Value.DefaultHistoryLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1))
        {
            errors[nameof(limit)] = [$"limit must be a whole number of at least 1 (at most {options.Value.MaxHistoryLimit} are returned)."];
        }

        if (since > until)
        {
            errors[nameof(from)] = ["from must not be after to."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The history request has invalid parameters.");
        }

        var history = await reader.GetHistoryAsync(name, since, until, Math.Min(count, options.Value.MaxHistoryLimit), cancellationToken);
        if (history.Count == 0 && await reader.GetLatestAsync(name, cancellationToken) is null)
        {
            return UnknownVehicle(name);
        }

        return TypedResults.Ok(history.Select(DetailedHistoryPointResponse.From).ToArray());
    }

    private static DateTimeOffset? ParseTime(string? value, string parameter, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        errors[parameter] = [$"{parameter} '{value}' is not an ISO-8601 date-time, e.g. 2026-11-22T12:00:00Z."];
        return null;
    }

    private static ProblemHttpResult UnknownVehicle(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown vehicle", detail: $"No vehicle named '{name}' has reported a position.");
}
