using System.Diagnostics.Metrics;

namespace Fleetman.PositionSimulator;

/// <summary>
/// The simulator's counters, for <c>/simulator/status</c> and as meter "Fleetman.Simulator" (exported by the service
/// defaults; on <c>/metrics</c> prefixed with the meter's name: <c>fleetman_simulator_positions_published</c>, ...).
/// </summary>
public sealed class SimulatorMetrics
{
    public const string MeterName = "Fleetman.Simulator";

    // publishedPerSecond is measured over this window.
    private const double RateWindowSeconds = 5;

    private readonly Counter<long> _published;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _retired;
    private readonly Queue<(double Time, long Published)> _samples = new();
    private readonly Lock _samplesLock = new();
    private long _publishedTotal;
    private long _failedTotal;
    private long _droppedTotal;
    private int _vehiclesActive;
    private int _inFlight;
    private double _lastSample;

    public SimulatorMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _published = meter.CreateCounterFromZero("positions.published", "{report}", "Position reports the broker confirmed.");
        _failed = meter.CreateCounterFromZero("positions.failed", "{report}", "Position reports the broker did not confirm in time (unavailable).");
        _dropped = meter.CreateCounterFromZero("positions.dropped", "{report}", "Position reports not sent: the broker was not connected, or too many were already waiting for it.");
        _retired = meter.CreateCounterFromZero("vehicles.retired", "{vehicle}", "Vehicles taken out of the fleet whose retirement the broker confirmed.");
        meter.CreateObservableGauge("vehicles.active", () => Volatile.Read(ref _vehiclesActive), "{vehicle}", "Vehicles driving and reporting.");
        meter.CreateObservableGauge("positions.in_flight", () => Volatile.Read(ref _inFlight), "{report}", "Position reports waiting for the broker's confirmation.");
    }

    public long Published => Interlocked.Read(ref _publishedTotal);

    public long Failed => Interlocked.Read(ref _failedTotal);

    public long Dropped => Interlocked.Read(ref _droppedTotal);

    public int InFlight => Volatile.Read(ref _inFlight);

    public void OnPublishing() => Interlocked.Increment(ref _inFlight);

    public void OnPublished()
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _publishedTotal);
        _published.Add(1);
    }

    public void OnFailed()
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _failedTotal);
        _failed.Add(1);
    }

    public void OnDropped(int count)
    {
        Interlocked.Add(ref _droppedTotal, count);
        _dropped.Add(count);
    }

    public void OnRetired(int vehicles) => _retired.Add(vehicles);

    public void SetVehiclesActive(int count) => Volatile.Write(ref _vehiclesActive, count);

    /// <summary>Records the published count at <paramref name="now"/> (monotonic seconds), at most once a second.</summary>
    public void Sample(double now)
    {
        lock (_samplesLock)
        {
            if (_samples.Count > 0 && now - _lastSample < 1)
            {
                return;
            }

            _lastSample = now;
            _samples.Enqueue((now, Published));
            while (_samples.Count > 2 && now - _samples.Peek().Time > RateWindowSeconds)
            {
                _samples.Dequeue();
            }
        }
    }

    /// <summary>Reports confirmed per second over the last few seconds.</summary>
    public double PublishedPerSecond(double now)
    {
        lock (_samplesLock)
        {
            if (_samples.Count == 0)
            {
                return 0;
            }

            var (time, published) = _samples.Peek();
            var elapsed = now - time;
            return elapsed < 0.5 ? 0 : Math.Round((Published - published) / elapsed, 1);
        }
    }
}
