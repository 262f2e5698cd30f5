using Fleetman.Messaging;
using Polly;
using Polly.Retry;

namespace Fleetman.PositionSimulator.Simulation;

/// <summary>
/// The publishing loop: every tick it takes the reports that are due and publishes them all at once (the messaging
/// library confirms concurrent sends in groups), without waiting for them: the next tick goes ahead while earlier
/// publishes are still with the broker. At most <see cref="SimulatorOptions.MaxInFlightPublishes"/> wait at a time;
/// reports beyond that are dropped and counted. Publishes wait through a broker outage shorter than the send timeout
/// (nothing is lost); once one has timed out, the outage is a long one, and while the broker is still not connected
/// the due reports are dropped at once (counted) instead of each waiting the send timeout in its turn: the simulator
/// then holds nothing for the broker, and tries it again only when the messaging client has reconnected, which backs
/// off with jitter. Failures and drops are logged at most every 10 s; the vehicles keep driving throughout.
/// Retirements are never dropped: they are retried, backing off, until published.
/// </summary>
public sealed partial class SimulatorService : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetirementRetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RetirementRetryMaxDelay = TimeSpan.FromSeconds(10);

    private readonly Simulator _simulator;
    private readonly IMessagePublisher _publisher;
    private readonly SimulatorMetrics _metrics;
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _queue;
    private readonly SemaphoreSlim _slots;
    private readonly List<Task> _pending = [];
    private readonly List<VehiclesRetired> _retirements = [];
    private readonly Lock _retirementsLock = new();
    private readonly ResiliencePipeline _retirementRetry;
    private readonly CancellationTokenSource _disposing = new();
    private Task _retiring = Task.CompletedTask;
    private long _lastRetirementWarning;
    private readonly Lock _warningLock = new();
    private long _lastFailureWarning;
    private long _lastDropWarning;
    private long _failuresSinceWarning;
    private long _dropsSinceWarning;
    private int _failing;

    public SimulatorService(Simulator simulator, IMessagePublisher publisher, MessageTopology topology, SimulatorMetrics metrics, IOptions<SimulatorOptions> options, TimeProvider time, ILogger<SimulatorService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _simulator = simulator;
        _publisher = publisher;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _queue = topology.NameOf<PositionReported>();
        _slots = new SemaphoreSlim(_options.MaxInFlightPublishes, _options.MaxInFlightPublishes);
        _lastFailureWarning = _lastDropWarning = _lastRetirementWarning = -WarningInterval.Ticks * 2;
        _retirementRetry = new ResiliencePipelineBuilder { TimeProvider = time }.AddRetry(new RetryStrategyOptions
        {
            // Until published (or the service is gone): a lost retirement would leave its vehicles on the map until the
            // retention. A refused send fails at once, so without the backoff this would be a retry every tick.
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = RetirementRetryDelay,
            MaxDelay = RetirementRetryMaxDelay,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
            OnRetry = args =>
            {
                if (TimeToWarn(ref _lastRetirementWarning))
                {
                    LogRetirementFailing(_logger, args.RetryDelay.TotalMilliseconds, args.Outcome.Exception?.Message ?? "");
                }

                return default;
            },
        }).Build();
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.AutoStart)
        {
            _simulator.Start();
        }
        else
        {
            LogWaitingForStart(_logger);
        }

        return base.StartAsync(cancellationToken);
    }

    /// <summary>Stops the loop, then gives publishes still waiting for the broker the host's shutdown time to finish.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _simulator.Stop();
        try
        {
            PublishRetirements();
            await Task.WhenAll([.. _pending, _retiring]).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogAbandoned(_logger, _metrics.InFlight);
        }

        LogTotals(_logger, _metrics.Published, _metrics.Failed, _metrics.Dropped);
    }

    public override void Dispose()
    {
        _disposing.Cancel();
        _disposing.Dispose();
        _slots.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, _time);
        var reports = new List<PositionReported>();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                reports.Clear();
                _simulator.TakeDueReports(reports);
                _metrics.Sample(_simulator.Now);
                if (reports.Count > 0)
                {
                    PublishAll(reports);
                }

                PublishRetirements();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void PublishAll(List<PositionReported> reports)
    {
        if (Volatile.Read(ref _failing) == 1 && !_publisher.IsConnected)
        {
            OnDropped(reports.Count, "the broker is not connected and earlier reports to it timed out");
            return;
        }

        var sends = new List<Task>(reports.Count);
        var dropped = 0;
        foreach (var report in reports)
        {
            if (_slots.Wait(0))
            {
                _metrics.OnPublishing();
                sends.Add(PublishAsync(report));
            }
            else
            {
                dropped++;
            }
        }

        if (dropped > 0)
        {
            OnDropped(dropped, $"{_options.MaxInFlightPublishes} publishes already waiting for the broker (Simulator:MaxInFlightPublishes)");
        }

        _pending.RemoveAll(task => task.IsCompleted);
        if (sends.Count > 0)
        {
            _pending.Add(Task.WhenAll(sends));
        }
    }

    private async Task PublishAsync(PositionReported report)
    {
        try
        {
            // Not cancelled at shutdown: a report on its way is worth the few milliseconds its confirmation takes.
            await (_options.WireFormat == WireFormat.JmsMap
                ? _publisher.PublishMapAsync<PositionReported>(OriginalPositionMessage.Entries(report), CancellationToken.None)
                : _publisher.PublishAsync(report, CancellationToken.None));
            _metrics.OnPublished();
            if (Interlocked.Exchange(ref _failing, 0) == 1)
            {
                LogResumed(_logger, _queue);
            }
        }
        catch (Exception e)
        {
            // MessagingUnavailableException while the broker is down; anything else (the client closing at shutdown)
            // must not stop the simulation either.
            _metrics.OnFailed();
            Interlocked.Exchange(ref _failing, 1);
            Interlocked.Increment(ref _failuresSinceWarning);
            if (TimeToWarn(ref _lastFailureWarning))
            {
                LogPublishFailing(_logger, Interlocked.Exchange(ref _failuresSinceWarning, 0), _queue, e.Message);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// Sends the retirements waiting, in order, one publish at a time. One the broker does not confirm stays first in
    /// line and is tried again, backing off, while later ones wait behind it.
    /// </summary>
    private void PublishRetirements()
    {
        lock (_retirementsLock)
        {
            _simulator.TakeRetirements(_retirements);
            if (_retirements.Count == 0 || !_retiring.IsCompleted)
            {
                return;
            }
        }

        _retiring = PublishRetirementsAsync();
    }

    private async Task PublishRetirementsAsync()
    {
        while (true)
        {
            VehiclesRetired next;
            lock (_retirementsLock)
            {
                if (_retirements.Count == 0)
                {
                    return;
                }

                next = _retirements[0];
            }

            try
            {
                await _retirementRetry.ExecuteAsync(
                    static (state, _) => new ValueTask(state.Publisher.PublishAsync(state.Next, CancellationToken.None)),
                    (Publisher: _publisher, Next: next),
                    _disposing.Token);
            }
            catch (OperationCanceledException)
            {
                return; // disposed: the host is gone
            }

            lock (_retirementsLock)
            {
                _retirements.RemoveAt(0);
            }

            _metrics.OnRetired(next.Names.Count);
            LogRetired(_logger, next.Names.Count, next.Time);
        }
    }

    private void OnDropped(int dropped, string why)
    {
        _metrics.OnDropped(dropped);
        Interlocked.Add(ref _dropsSinceWarning, dropped);
        if (TimeToWarn(ref _lastDropWarning))
        {
            LogDropping(_logger, Interlocked.Exchange(ref _dropsSinceWarning, 0), why);
        }
    }

    private bool TimeToWarn(ref long last)
    {
        var now = _time.GetUtcNow().UtcTicks;
        lock (_warningLock)
        {
            if (now - last < WarningInterval.Ticks)
            {
                return false;
            }

            last = now;
            return true;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator.AutoStart is off: waiting for POST /simulator/start")]
    private static partial void LogWaitingForStart(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Failures} position reports to {Queue} failed since the last warning; still simulating, publishing resumes when the broker is back: {Error}")]
    private static partial void LogPublishFailing(ILogger logger, long failures, string queue, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing position reports to {Queue} again")]
    private static partial void LogResumed(ILogger logger, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Dropped} position reports dropped since the last warning; the latest because {Reason}")]
    private static partial void LogDropping(ILogger logger, long dropped, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retired {Vehicles} vehicle(s) from the fleet at {Time:O}")]
    private static partial void LogRetired(ILogger logger, int vehicles, DateTimeOffset time);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish a retirement of vehicles; trying again in {DelayMs:F0} ms: {Error}")]
    private static partial void LogRetirementFailing(ILogger logger, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Position reports in all: {Published} published, {Failed} failed, {Dropped} dropped")]
    private static partial void LogTotals(ILogger logger, long published, long failed, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped with {InFlight} position reports still unconfirmed by the broker")]
    private static partial void LogAbandoned(ILogger logger, int inFlight);
}
