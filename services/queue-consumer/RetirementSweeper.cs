using Fleetman.LatestPositions;
using Fleetman.Messaging;

namespace Fleetman.QueueConsumer;

/// <summary>
/// Every <c>LatestPositions:SweepInterval</c>, removes the vehicles not heard from for <c>LatestPositions:Retention</c>
/// from the latest positions and tells every api-gateway. Every replica sweeps; Redis removes each vehicle for exactly
/// one of them and keeps it as "unannounced" until a removal message has been published for it, so every removal is
/// announced at least once: also when the broker is down, or when Redis removed a vehicle but its answer never came
/// back (a timeout). Announcing twice is harmless: a removal is idempotent.
/// </summary>
internal sealed partial class RetirementSweeper(
    LatestPositionCache latest,
    IMessagePublisher publisher,
    IOptions<LatestPositionsOptions> options,
    TimeProvider clock,
    ILogger<RetirementSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SweepAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One sweep: removes every silent vehicle (in batches) and announces every removal not announced yet.</summary>
    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            IReadOnlyList<string> removed;
            do
            {
                removed = await latest.SweepAsync(options.Value.Retention);
                if (removed.Count > 0)
                {
                    ConsumerMetrics.VehiclesRetired.Add(removed.Count, new TagList { { "reason", "silent" } });
                    LogSwept(logger, removed.Count, options.Value.Retention);
                }
            }
            while (removed.Count == LatestPositionCache.SweepBatch && !cancellationToken.IsCancellationRequested);

            IReadOnlyList<string> unannounced;
            while ((unannounced = await latest.UnannouncedAsync(VehiclesRetired.MaxNames)).Count > 0 && !cancellationToken.IsCancellationRequested)
            {
                await publisher.PublishAsync(new VehiclesRemoved(unannounced, clock.GetUtcNow()), cancellationToken);
                await latest.AnnouncedAsync(unannounced);
            }
        }
        catch (LatestPositionsUnavailableException ex)
        {
            // Nothing is lost: the silent vehicles, and the removals not announced, are still in Redis at the next sweep.
            LogSweepFailed(logger, ex.Message);
        }
        catch (MessagingUnavailableException ex)
        {
            ConsumerMetrics.RemovalsNotPublished.Add(1);
            LogNotAnnounced(logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retired {Count} vehicle(s) not heard from for {Retention} (LatestPositions__Retention)")]
    private static partial void LogSwept(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for silent vehicles in Redis; trying again at the next sweep: {Reason}")]
    private static partial void LogSweepFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retired vehicles not announced yet; trying again at the next sweep: {Reason}")]
    private static partial void LogNotAnnounced(ILogger logger, string reason);
}
