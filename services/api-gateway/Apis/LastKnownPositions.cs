using Fleetman.LatestPositions;

namespace Fleetman.ApiGateway.Apis;

/// <summary>
/// The fallback while the tracker is unavailable: the latest position of every vehicle straight from Redis, where the
/// queue-consumer keeps them, so the map still shows the whole fleet. Answers say so with
/// <c>X-Fleetman-Fallback: last-known-positions</c> and are counted.
/// </summary>
public sealed partial class LastKnownPositions(LatestPositionCache latest, ApiGatewayMetrics metrics, ILogger<LastKnownPositions> logger)
{
    public const string Header = "X-Fleetman-Fallback";
    public const string HeaderValue = "last-known-positions";

    /// <summary>Every vehicle's last known position, or null when Redis cannot be read either.</summary>
    public async Task<IReadOnlyList<VehiclePosition>?> GetAllAsync(HttpResponse response, string route)
    {
        try
        {
            var positions = await latest.GetAllAsync();
            Answered(response, route);
            return positions;
        }
        catch (LatestPositionsUnavailableException ex)
        {
            LogRedisDown(logger, ex.Message);
            return null;
        }
    }

    /// <summary>One vehicle's last known position (null inside when it never reported), or null when Redis cannot be read either.</summary>
    public async Task<Found?> GetAsync(string vehicle, HttpResponse response, string route)
    {
        try
        {
            var position = await latest.GetAsync(vehicle);
            Answered(response, route);
            return new Found(position);
        }
        catch (LatestPositionsUnavailableException ex)
        {
            LogRedisDown(logger, ex.Message);
            return null;
        }
    }

    private void Answered(HttpResponse response, string route)
    {
        response.Headers[Header] = HeaderValue;
        metrics.FallbackAnswered(route);
    }

    public sealed record Found(VehiclePosition? Position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Neither the position tracker nor Redis can be read ({Reason}): no positions to answer with")]
    private static partial void LogRedisDown(ILogger logger, string reason);
}
