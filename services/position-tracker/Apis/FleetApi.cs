using Fleetman.Contracts.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleetman.PositionTracker.Apis;

/// <summary>Fleet-wide figures: <c>/fleet/summary</c>.</summary>
public static class FleetApi
{
    public static IEndpointRouteBuilder MapFleetApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/fleet/summary", GetSummaryAsync).WithOperation(FleetApiOperations.GetFleetSummary);
        return app;
    }

    public static async Task<Ok<FleetSummaryResponse>> GetSummaryAsync(
        PositionReader reader, IOptions<TrackerOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (positions, _) = await reader.GetLatestOfAllAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var staleBefore = now.AddSeconds(-options.Value.StaleAfterSeconds);
        var stale = positions.Count(p => p.Time < staleBefore);
        var moving = positions.Count(p => p.Time >= staleBefore && p.SpeedMph >= options.Value.MovingAboveMph);
        var newest = positions.Count == 0 ? (DateTimeOffset?)null : positions.Max(p => p.Time);
        return TypedResults.Ok(new FleetSummaryResponse(positions.Count, moving, stale, newest, now));
    }
}
