using Fleetman.LatestPositions;
using Fleetman.PositionStore;

namespace Fleetman.PositionTracker;

/// <summary>
/// Where the tracker reads from: latest positions from Redis (one round-trip for the whole fleet), history from the
/// store. If Redis is unreachable the latest positions come from the store instead, slower but still right. Redis holds
/// only the vehicles in the fleet; the store keeps every vehicle that ever reported, so from the store a vehicle whose
/// newest report is older than the fleet's newest by more than <c>LatestPositions:Retention</c> is left out (report
/// times against report times: a time-compressed simulator stamps them ahead of any clock). A vehicle the simulator
/// retired is left out from Redis at once, from the store only after the retention. One vehicle asked for by name is
/// answered from the store whatever its age.
/// </summary>
public sealed partial class PositionReader(LatestPositionCache latest, IPositionStore store, IOptions<LatestPositionsOptions> options, ILogger<PositionReader> logger)
{
    /// <summary>The latest position of every vehicle, and whether it had to come from the store.</summary>
    public async Task<(IReadOnlyList<VehiclePosition> Positions, bool FromStore)> GetLatestOfAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await latest.GetAllAsync(), false);
        }
        catch (LatestPositionsUnavailableException ex)
        {
            LogRedisDown(logger, ex.Message);
            return (InFleet(await store.GetLatestOfAllAsync(cancellationToken)), true);
        }
    }

    public async Task<VehiclePosition?> GetLatestAsync(string vehicle, CancellationToken cancellationToken)
    {
        try
        {
            return await latest.GetAsync(vehicle);
        }
        catch (LatestPositionsUnavailableException ex)
        {
            LogRedisDown(logger, ex.Message);
            // One vehicle's newest stored report, retired or not: the whole fleet would have to be read to tell.
            return (await store.GetLatestAsync([vehicle], cancellationToken)).GetValueOrDefault(vehicle);
        }
    }

    private List<VehiclePosition> InFleet(IReadOnlyList<VehiclePosition> positions)
    {
        if (positions.Count == 0)
        {
            return [];
        }

        var since = positions.Max(p => p.Time) - options.Value.Retention;
        return [.. positions.Where(p => p.Time >= since)];
    }

    public Task<IReadOnlyList<VehiclePosition>> GetHistoryAsync(string vehicle, DateTimeOffset? since, DateTimeOffset? until, int limit, CancellationToken cancellationToken) =>
        store.GetHistoryAsync(vehicle, since, until, limit, cancellationToken);

    public Task<IReadOnlyList<VehiclePosition>> GetFleetHistoryAsync(DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken) =>
        store.GetFleetHistoryAsync(since, until, limit, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable ({Reason}); reading latest positions from the store")]
    private static partial void LogRedisDown(ILogger logger, string reason);
}
