namespace Fleetman.Messaging.Stomp;

/// <summary>
/// Polls a queue's depth from the broker's statistics and publishes it as the <c>queue_depth</c> gauge of meter
/// <c>Fleetman.Messaging</c> (tag <c>queue</c>; <c>fleetman_messaging_queue_depth</c> on <c>/metrics</c>), the figure
/// alerts and the queue-depth autoscaler read. Absent until the first answer (or outage), NaN while the broker cannot
/// answer (two polls in a row failed).
/// </summary>
/// <remarks>
/// The gauge is an observer, never a dependency: it has its own broker connection, every failure is caught, and it
/// logs once when the depth becomes unknown (with why) and once when it is known again, not on every poll.
/// </remarks>
internal sealed partial class QueueDepthGauge(
    Destination queue, BrokerOptions broker, QueueDepthOptions options, ILogger<QueueDepthGauge> logger) : BackgroundService
{
    private enum State
    {
        Starting,
        Known,
        BrokerUnreachable,
        NoStatistics,
        Failed,
    }

    // One late or lost answer (a busy broker, a reconnect) is not an outage: the last value stands until this many polls
    // in a row have failed, so the gauge and the log do not flap.
    private const int FailuresBeforeUnknown = 2;

    private double _depth = double.NaN;
    private State _state = State.Starting;
    private int _failures;

    public Destination Queue => queue;

    /// <summary>The last depth read, or NaN while unknown; null before the first reading (the gauge is then absent).</summary>
    public double? Depth => _state == State.Starting ? null : Volatile.Read(ref _depth);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var registration = MessagingTelemetry.AddQueueDepthSource(this);
        await using var client = new QueueStatisticsClient(broker, TimeSpan.FromSeconds(options.ReplyTimeoutSeconds), logger);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.PollIntervalSeconds));
        try
        {
            do
            {
                await PollAsync(client, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the host is stopping
        }
    }

    private async Task PollAsync(QueueStatisticsClient client, CancellationToken stoppingToken)
    {
        try
        {
            var statistics = await client.GetAsync(queue, stoppingToken);
            _failures = 0;
            Volatile.Write(ref _depth, statistics.Size);
            Enter(State.Known, null);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (MessagingUnavailableException ex)
        {
            Unknown(State.BrokerUnreachable, ex.Message);
        }
        catch (QueueStatisticsUnavailableException ex)
        {
            Unknown(State.NoStatistics, ex.Message);
        }
        catch (Exception ex)
        {
            // Whatever it is, it must not stop the host (a failed BackgroundService does by default) or the consumers.
            Unknown(State.Failed, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private void Unknown(State state, string reason)
    {
        if (++_failures < FailuresBeforeUnknown)
        {
            return;
        }

        Volatile.Write(ref _depth, double.NaN);
        Enter(state, reason);
    }

    private void Enter(State state, string? reason)
    {
        var previous = _state;
        _state = state;
        if (state == previous)
        {
            return;
        }

        if (state == State.Known)
        {
            LogKnown(logger, queue.Name, previous == State.Starting ? "available" : "available again", options.PollIntervalSeconds);
        }
        else
        {
            LogUnknown(logger, queue.Name, reason ?? state.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Depth of queue {Queue} {Availability}: read from the broker's statistics every {Seconds} s")]
    private static partial void LogKnown(ILogger logger, string queue, string availability, int seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Depth of queue {Queue} unknown until the broker answers again (consuming is not affected): {Reason}")]
    private static partial void LogUnknown(ILogger logger, string queue, string reason);
}
