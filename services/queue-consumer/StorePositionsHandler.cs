using Fleetman.LatestPositions;
using Fleetman.Messaging;
using Fleetman.PositionStore;
using Fleetman.QueueConsumer.Events;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Registry;
using Polly.Retry;

namespace Fleetman.QueueConsumer;

/// <summary>
/// One batch of reports: refuse the unusable ones, compute speed and heading from each vehicle's newest stored point,
/// store history (durably, idempotently), derive and store fleet events (idempotently, by their deterministic ids), move
/// the latest positions in Redis (newest wins), then tell the api-gateways what changed and which events are new. The
/// batch is acked only after this returns (the positions' announcement sent), so a crash anywhere means redelivery,
/// and redelivery is harmless because every write is idempotent.
/// </summary>
internal sealed partial class StorePositionsHandler(
    IPositionStore store,
    IFleetEventStore eventStore,
    GeofenceSource geofences,
    IOptions<FleetEventOptions> eventOptions,
    LatestPositionCache latest,
    IMessagePublisher publisher,
    IOptions<QueueConsumerPipelineOptions> pipeline,
    ResiliencePipelineProvider<string> pipelines,
    TimeProvider clock,
    ILogger<StorePositionsHandler> logger) : IBatchMessageHandler<PositionReported>
{
    private readonly ResiliencePipeline _announceRetry = pipelines.GetPipeline(AnnouncementRetry.Key);

    public async Task HandleAsync(IReadOnlyList<MessageContext<PositionReported>> batch, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var maxClockSkew = pipeline.Value.MaxClockSkew;
        var reports = new List<PositionReported>(batch.Count);
        foreach (var message in batch)
        {
            if (PositionValidation.Problem(message.Message, now, maxClockSkew) is { } problem)
            {
                message.Reject(problem);
                ConsumerMetrics.Rejected.Add(1);
            }
            else
            {
                reports.Add(message.Message);
            }
        }

        if (reports.Count == 0)
        {
            return;
        }

        var vehicles = reports.Select(r => r.Vehicle).Distinct(StringComparer.Ordinal).ToList();
        var previous = await StoreCallAsync(() => store.GetLatestAsync(vehicles, cancellationToken));
        var positions = SpeedCalculator.Compute(reports, previous);
        var (events, states) = await DeriveEventsAsync(vehicles, positions, cancellationToken);

        // Positions, events and states in one store call: on SQLite one transaction, one sync to disk per batch.
        var stored = await StoreCallAsync(() => eventStore.AppendWithEventsAsync(positions, events, states, cancellationToken));
        ConsumerMetrics.Stored.Add(stored.PositionsAdded);
        var storedAt = clock.GetUtcNow();
        foreach (var position in positions)
        {
            ConsumerMetrics.StoreLag.Record(Math.Max(0, (storedAt - position.Time).TotalSeconds));
        }

        ConsumerMetrics.Duplicates.Add(positions.Count - stored.PositionsAdded);
        AnnounceEvents(stored.EventsAdded);

        // A report no newer than its vehicle's latest stored one (late, or redelivered) never moves its vehicle back, in
        // Redis (newest wins there) or on a map (see below); its vehicle's retirement is asked all the same, so a
        // report from before the vehicle left is not announced at all.
        var newest = positions.GroupBy(p => p.Vehicle, StringComparer.Ordinal).Select(g => g.MaxBy(p => p.Time)!).ToList();
        var current = positions;
        if (await UpdateLatestAsync(newest) is { Count: > 0 } retired)
        {
            // Reports from before their vehicle left the fleet (still queued when it left): history, never on a map.
            current = [.. positions.Where(p => !retired.Contains(p.Vehicle))];
            if (current.Count == 0)
            {
                return;
            }
        }

        // Every position is announced, not only each vehicle's newest: a browser following a vehicle draws its every
        // point (the api-gateway coalesces the rest per connection). A late one too: with batches handled at once, a
        // vehicle's older report is stored after its newer one whenever its batch read the latest stored points after
        // the other batch had stored, and left out it was a point lost from the followed trail. The api-gateway passes
        // a point older than one it passed on to followers only, and one it passed on already (a redelivery) to no
        // one. Transient (the topology says so): live positions are stale a second later and a newer update follows.
        await AnnounceUpdateAsync(new VehiclePositionsUpdated(current, clock.GetUtcNow()), cancellationToken);
    }

    /// <summary>
    /// Announces stored positions, and returns only once the broker has the announcement, so the batch is acked after
    /// it: a notification lost was a point lost from every followed trail (the newest position of each vehicle comes
    /// again a second later, the points between never). A failed send is counted, logged and sent again, the same
    /// announcement (the positions as computed when they were stored), with a growing delay, for as long as it takes,
    /// the batch held unacked meanwhile as it is while the store is down; a consumer that stops meanwhile leaves the
    /// batch to be redelivered and announced again (the api-gateway sends a repeat to no one). A publish already waits
    /// through a broker outage up to the send timeout before it fails, so a failure is a long outage or a refused
    /// send, not a blip.
    /// </summary>
    private Task AnnounceUpdateAsync(VehiclePositionsUpdated update, CancellationToken cancellationToken) =>
        _announceRetry.ExecuteAsync(
            static async (state, token) => await state.publisher.PublishAsync(state.update, token),
            (publisher, update),
            cancellationToken).AsTask();

    /// <summary>
    /// Events from each vehicle's positions newer than its stored event state, and the states to save. The store keeps
    /// the events before the states (or both at once), and only the events stored for the first time are counted and
    /// announced. A crash before the states are saved means redelivery: the state is still the old one, the same events
    /// are derived again with the same ids, the store keeps them once and none is announced twice (an announcement lost
    /// in that crash is not repeated; the events are stored, and the feed reads them from the store when it loads).
    /// </summary>
    private async Task<(List<FleetEvent> Events, List<FleetEventState> States)> DeriveEventsAsync(
        List<string> vehicles, List<VehiclePosition> positions, CancellationToken cancellationToken)
    {
        var states = await StoreCallAsync(() => eventStore.GetEventStatesAsync(vehicles, cancellationToken));
        var fences = await StoreCallAsync(() => geofences.GetAsync(cancellationToken));
        var derived = new List<FleetEvent>();
        var next = new List<FleetEventState>();
        foreach (var vehicle in positions.GroupBy(p => p.Vehicle, StringComparer.Ordinal))
        {
            var (events, state) = FleetEventDeriver.Derive(vehicle.Key, vehicle, states.GetValueOrDefault(vehicle.Key), eventOptions.Value, fences);
            derived.AddRange(events);
            if (state is not null)
            {
                next.Add(state);
            }
        }

        return (derived, next);
    }

    private void AnnounceEvents(IReadOnlyList<FleetEvent> added)
    {
        if (added.Count == 0)
        {
            return;
        }

        foreach (var e in added)
        {
            ConsumerMetrics.FleetEvents.Add(1, new KeyValuePair<string, object?>("kind", FleetEventLabels.Of(e.Kind)));
        }

        _ = AnnounceEventsAsync(new FleetEventsOccurred([.. added.OrderBy(e => e.Time)], clock.GetUtcNow()));
    }

    /// <summary>
    /// A store that cannot be reached is not the messages' fault: they stay unacked and the batch is retried until the
    /// store is back, instead of being dead-lettered. (Bad data never reaches the store: it was rejected above.)
    /// </summary>
    private async Task<T> StoreCallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or ArgumentException))
        {
            throw new DependencyUnavailableException($"the position store ({store})", ex);
        }
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

    /// <summary>
    /// Tells the api-gateways which fleet events were stored. Nobody awaits this: every failure ends here, logged and
    /// counted. The events are stored already and the event feed reads them from the store when it loads, so this
    /// announcement is best-effort and never holds the queue.
    /// </summary>
    private async Task AnnounceEventsAsync(FleetEventsOccurred occurred)
    {
        try
        {
            await publisher.PublishAsync(occurred);
        }
        catch (MessagingUnavailableException ex)
        {
            ConsumerMetrics.EventsNotPublished.Add(1);
            LogEventsNotPublished(logger, occurred.Events.Count, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored {Count} vehicle position(s) but could not update their latest positions in Redis: {Reason}")]
    private static partial void LogLatestNotUpdated(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored {Count} fleet event(s) but could not publish FleetEventsOccurred: {Reason}")]
    private static partial void LogEventsNotPublished(ILogger logger, int count, string reason);
}

/// <summary>
/// How the positions' announcement is sent again: until it is out (or the consumer stops), 100 ms after the first
/// failure, doubling up to 5 s, as the messaging library's retries; each failure counted and logged. Polly's registry
/// builds the pipeline once for the process: the handler is scoped, and a pipeline built with it was a dozen objects
/// and delegates per batch for a retry that almost never runs. A pipeline holds no state between executions, so
/// batches handled at once share it safely.
/// </summary>
internal static partial class AnnouncementRetry
{
    public const string Key = "queue-consumer.announce-positions";

    public static IServiceCollection AddAnnouncementRetry(this IServiceCollection services) =>
        services.AddResiliencePipeline(Key, static (pipeline, context) =>
        {
            var logger = context.ServiceProvider.GetRequiredService<ILogger<StorePositionsHandler>>();
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            // Polly's own telemetry would log two more warnings per failed send, saying what the one below says.
            pipeline.ConfigureTelemetry(NullLoggerFactory.Instance);
            pipeline.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(5),
                ShouldHandle = new PredicateBuilder().Handle<MessagingUnavailableException>(),
                OnRetry = args =>
                {
                    ConsumerMetrics.UpdatesNotPublished.Add(1);
                    LogUpdateNotPublished(logger, args.Outcome.Exception!.Message);
                    return default;
                },
            });
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored a batch's vehicle positions but could not publish VehiclePositionsUpdated, sending it again (the batch is held until it goes out): {Reason}")]
    private static partial void LogUpdateNotPublished(ILogger logger, string reason);
}
