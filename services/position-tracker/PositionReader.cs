using Fleetman.Contracts;
using Fleetman.LatestPositions;
using Fleetman.PositionStore;
using StackExchange.Redis;

namespace Fleetman.PositionTracker;

/// <summary>
/// Where the tracker reads from: latest positions from Redis (one round-trip for the whole fleet), history from the
/// store. If Redis is unreachable the latest positions come from the store instead, slower but still right.
/// </summary>
public sealed partial class PositionReader(LatestPositionCache latest, IPositionStore store, ILogger<PositionReader> logger)
{
    /// <summary>The latest position of every vehicle, and whether it had to come from the store.</summary>
    public async Task<(IReadOnlyList<VehiclePosition> Positions, bool FromStore)> GetLatestOfAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await latest.GetAllAsync(), false);
        }
        catch (RedisException ex)
        {
            LogRedisDown(logger, ex.Message);
            return (await store.GetLatestOfAllAsync(cancellationToken), true);
        }
    }

    public async Task<VehiclePosition?> GetLatestAsync(string vehicle, CancellationToken cancellationToken)
    {
        try
        {
            return await latest.GetAsync(vehicle);
        }
        catch (RedisException ex)
        {
            LogRedisDown(logger, ex.Message);
            return (await store.GetLatestAsync([vehicle], cancellationToken)).GetValueOrDefault(vehicle);
        }
    }

    public Task<IReadOnlyList<VehiclePosition>> GetHistoryAsync(string vehicle, DateTimeOffset? since, DateTimeOffset? until, int limit, CancellationToken cancellationToken) =>
        store.GetHistoryAsync(vehicle, since, until, limit, cancellationToken);

    public Task<IReadOnlyList<VehiclePosition>> GetFleetHistoryAsync(DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken) =>
        store.GetFleetHistoryAsync(since, until, limit, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable ({Reason}); reading latest positions from the store")]
    private static partial void LogRedisDown(ILogger logger, string reason);
}
