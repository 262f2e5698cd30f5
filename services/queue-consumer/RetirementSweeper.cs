using System.Diagnostics;
using Fleetman.Contracts;
using Fleetman.LatestPositions;
using Fleetman.Messaging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fleetman.QueueConsumer;

/// <summary>
/// Every <c>LatestPositions:SweepInterval</c>, removes the vehicles not heard from for <c>LatestPositions:Retention</c>
/// from the latest positions and tells every api-gateway. Every replica sweeps; Redis removes each vehicle for exactly
/// one of them, so each removal is announced once. A removal that cannot be announced (the broker is down) is kept and
/// announced at the next sweep.
/// </summary>
internal sealed partial class RetirementSweeper(
    LatestPositionCache latest,
    IMessagePublisher publisher,
    IOptions<LatestPositionsOptions> options,
    TimeProvider clock,
    ILogger<RetirementSweeper> logger) : BackgroundService
{
    private readonly List<string> _unannounced = [];

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

    /// <summary>One sweep: removes every silent vehicle (in batches) and announces what was removed.</summary>
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
                    _unannounced.AddRange(removed);
                }
            }
            while (removed.Count == LatestPositionCache.SweepBatch && !cancellationToken.IsCancellationRequested);
        }
        catch (RedisException ex)
        {
            // Nothing is lost: the silent vehicles are still there at the next sweep.
            LogSweepFailed(logger, ex.Message);
        }

        foreach (var names in _unannounced.Chunk(VehiclesRetired.MaxNames).ToList())
        {
            try
            {
                await publisher.PublishAsync(new VehiclesRemoved(names, clock.GetUtcNow()), cancellationToken);
                _unannounced.RemoveRange(0, names.Length);
            }
            catch (MessagingUnavailableException ex)
            {
                ConsumerMetrics.RemovalsNotPublished.Add(1);
                LogNotAnnounced(logger, _unannounced.Count, ex.Message);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retired {Count} vehicle(s) not heard from for {Retention} (LatestPositions__Retention)")]
    private static partial void LogSwept(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for silent vehicles in Redis; trying again at the next sweep: {Reason}")]
    private static partial void LogSweepFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} retired vehicle(s) not announced yet; trying again at the next sweep: {Reason}")]
    private static partial void LogNotAnnounced(ILogger logger, int count, string reason);
}
