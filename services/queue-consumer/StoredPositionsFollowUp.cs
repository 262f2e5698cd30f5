using System.Threading.Channels;
using Fleetman.LatestPositions;
using Fleetman.Messaging;

namespace Fleetman.QueueConsumer;

/// <summary>
/// What follows a batch once its positions are durably stored, off the batch's ack path: moving the latest positions in
/// Redis (newest wins) and telling the api-gateways which positions are current. The handler hands each stored batch
/// over and returns, so its messages are acked without waiting for Redis; one loop then takes the batches in the order
/// they were stored, so a vehicle's announcements keep that order (the batches queued meanwhile together, in one Redis
/// call and one announcement). A crash before the loop reached a stored batch loses
/// only its Redis update and announcement, which the next report of each vehicle puts right (newest wins), as after a
/// Redis outage; a stop lets the loop finish what it holds first. The queue is bounded: a slow Redis slows the acks
/// again instead of growing memory.
/// </summary>
internal sealed partial class StoredPositionsFollowUp(
    LatestPositionCache latest,
    IMessagePublisher publisher,
    TimeProvider clock,
    ILogger<StoredPositionsFollowUp> logger) : IHostedService
{
    // Enough for both handlers' next batches while Redis answers the one before.
    private const int Capacity = 4;

    private readonly Channel<List<VehiclePosition>> _stored = Channel.CreateBounded<List<VehiclePosition>>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private Task _loop = Task.CompletedTask;

    /// <summary>
    /// Queues the stored positions that are newer than their vehicle's stored latest (late and redelivered reports are
    /// history only). Waits only while <see cref="Capacity"/> batches are already queued.
    /// </summary>
    public async ValueTask FollowAsync(List<VehiclePosition> current, CancellationToken cancellationToken)
    {
        try
        {
            await _stored.Writer.WriteAsync(current, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // Stopping, and a handler still finishing: follow its batch up here, before its acks, as nothing else will.
            await FollowUpAsync(current);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Takes no more batches and finishes the queued ones, unless the host's stop timeout fires first.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stored.Writer.TryComplete();
        await _loop.WaitAsync(cancellationToken);
    }

    private async Task LoopAsync()
    {
        var reader = _stored.Reader;
        while (await reader.WaitToReadAsync())
        {
            // Whatever queued up while Redis answered the call before goes in one call and one announcement, in the
            // order stored: a slow Redis then costs a round trip per turn, not per batch.
            var current = new List<VehiclePosition>();
            while (reader.TryRead(out var batch))
            {
                current.AddRange(batch);
            }

            try
            {
                await FollowUpAsync(current);
            }
            catch (Exception ex)
            {
                // Everything expected is handled below; anything else must not end the loop and stall the acks.
                LogUnexpected(logger, ex, current.Count);
            }
        }
    }

    private async Task FollowUpAsync(List<VehiclePosition> current)
    {
        var newest = current.GroupBy(p => p.Vehicle, StringComparer.Ordinal).Select(g => g.MaxBy(p => p.Time)!).ToList();
        if (await UpdateLatestAsync(newest) is { Count: > 0 } retired)
        {
            // Reports from before their vehicle left the fleet (still queued when it left): history, never on a map.
            current.RemoveAll(p => retired.Contains(p.Vehicle));
            if (current.Count == 0)
            {
                return;
            }
        }

        // Every current position is announced, not only each vehicle's newest: a browser following a vehicle draws its
        // every point (the api-gateway coalesces the rest per connection). Not awaited: the next batch's Redis update
        // need not wait for it; sends are pipelined in order and a failure is only logged. Transient (the topology says
        // so): live positions are stale a second later and a newer update always follows.
        _ = StorePositionsHandler.PublishStoredAsync(
            publisher, logger, new VehiclePositionsUpdated(current, clock.GetUtcNow()), current.Count, "vehicle position(s)", ConsumerMetrics.UpdatesNotPublished);
    }

    /// <summary>The vehicles refused because they left the fleet after these positions.</summary>
    private async Task<HashSet<string>?> UpdateLatestAsync(List<VehiclePosition> newest)
    {
        try
        {
            var update = await latest.UpdateAsync(newest);
            return update.Retired.Count == 0 ? null : new HashSet<string>(update.Retired, StringComparer.Ordinal);
        }
        catch (LatestPositionsUnavailableException ex)
        {
            // History is stored, and that is the record. Redis only speeds up reads (the tracker falls back to the store),
            // and newest-wins means the next report of each vehicle puts it right, so a Redis outage must not stall the queue.
            ConsumerMetrics.LatestNotUpdated.Add(1);
            LogLatestNotUpdated(logger, newest.Count, ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored {Count} vehicle position(s) but could not update their latest positions in Redis: {Reason}")]
    private static partial void LogLatestNotUpdated(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure following up {Count} stored position(s)")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, int count);
}
