using Fleetman.Messaging;

namespace Fleetman.PositionSimulator.Simulation;

/// <summary>What <c>GET /simulator/status</c> answers.</summary>
/// <param name="PublishedPerSecond">Reports the broker confirmed per second, over the last few seconds.</param>
/// <param name="InFlight">Reports sent and waiting for the broker's confirmation.</param>
/// <param name="SimulatedTime">The simulated clock (what reports are stamped with); null before the first start.</param>
public sealed record SimulatorStatus(
    bool Running,
    VehicleSourceKind Source,
    int Vehicles,
    int ReportIntervalMilliseconds,
    double TimeCompression,
    long Published,
    long Failed,
    long Dropped,
    int InFlight,
    double PublishedPerSecond,
    string Queue,
    DateTimeOffset? SimulatedTime);

/// <summary>A change of settings at run time (<c>PUT /simulator/settings</c>); absent fields stay as they are.</summary>
/// <param name="Vehicles">How many vehicles drive; 0 means the source's default (every track, or 38 built-in vehicles).</param>
public sealed record SimulatorSettings(int? Vehicles, int? ReportIntervalMilliseconds, double? TimeCompression)
{
    /// <summary>Problems by field name (as in the JSON body); empty when the settings can be applied.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Vehicles is < 0 or > SimulatorOptions.MaxVehicles)
        {
            errors["vehicles"] = [$"vehicles must be between 0 and {SimulatorOptions.MaxVehicles} (0: the source's default)."];
        }

        if (ReportIntervalMilliseconds is < SimulatorOptions.MinReportIntervalMilliseconds or > SimulatorOptions.MaxReportIntervalMilliseconds)
        {
            errors["reportIntervalMilliseconds"] = [$"reportIntervalMilliseconds must be between {SimulatorOptions.MinReportIntervalMilliseconds} and {SimulatorOptions.MaxReportIntervalMilliseconds}."];
        }

        if (TimeCompression is { } compression && !(compression is >= SimulatorOptions.MinTimeCompression and <= SimulatorOptions.MaxTimeCompression))
        {
            errors["timeCompression"] = [$"timeCompression must be between {SimulatorOptions.MinTimeCompression} and {SimulatorOptions.MaxTimeCompression}."];
        }

        return errors;
    }
}

/// <summary>
/// The fleet and its schedule. Each vehicle reports once per interval; vehicle <c>i</c> of <c>n</c> is due
/// <c>i/n</c> of an interval after the others, so reports flow evenly rather than in bursts. Vehicles are made when
/// first due, so starting with 10,000 of them costs nothing up front. Thread-safe: the publishing loop and the
/// control API share it.
/// </summary>
public sealed partial class Simulator
{
    private readonly Lock _lock = new();
    private readonly List<Slot> _slots = [];
    private readonly List<VehiclesRetired> _retirements = [];
    private readonly VehicleSource _source;
    private readonly SimulatorOptions _options;
    private readonly SimulatorMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SimulationClock _clock;
    private double _interval;
    private int _active;
    private readonly string _queue;

    public Simulator(VehicleSource source, IOptions<SimulatorOptions> options, SimulatorMetrics metrics, TimeProvider time, ILogger<Simulator> logger, MessageTopology? topology = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _options = options.Value;
        _queue = (topology ?? MessageTopology.Default).NameOf<PositionReported>();
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _clock = new SimulationClock(_options.TimeCompression);
        _interval = _options.ReportIntervalMilliseconds / 1000.0;
        Resize(VehicleCount(_options.Vehicles), modelTime: 0);
    }

    public bool Running
    {
        get
        {
            lock (_lock)
            {
                return _clock.Running;
            }
        }
    }

    /// <summary>How many vehicles the fleet has (driving, or parked while stopped).</summary>
    public int ActiveVehicles
    {
        get
        {
            lock (_lock)
            {
                return _active;
            }
        }
    }

    /// <summary>Seconds of the monotonic clock the schedule runs on.</summary>
    internal double Now => _time.GetTimestamp() / (double)_time.TimestampFrequency;

    public void Start()
    {
        lock (_lock)
        {
            if (_clock.Running)
            {
                return;
            }

            var now = Now;
            _clock.Start(now, _time.GetUtcNow());
            Spread(now);
            _metrics.SetVehiclesActive(_active);
            LogStarted(_logger, _active, _source.Kind, IntervalMilliseconds, _clock.Compression, _queue);
        }
    }

    public void Stop()
    {
        lock (_lock)
        {
            if (!_clock.Running)
            {
                return;
            }

            _clock.Stop(Now);
            _metrics.SetVehiclesActive(0);
            LogStopped(_logger, _metrics.Published);
        }
    }

    /// <summary>Applies valid settings (see <see cref="SimulatorSettings.Validate"/>) at once, running or not.</summary>
    public void Apply(SimulatorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join(" ", errors.Values.SelectMany(e => e)), nameof(settings));
        }

        lock (_lock)
        {
            var now = Now;
            if (settings.TimeCompression is { } compression)
            {
                _clock.SetCompression(now, compression);
            }

            if (settings.ReportIntervalMilliseconds is { } interval)
            {
                _interval = interval / 1000.0;
            }

            if (settings.Vehicles is { } vehicles)
            {
                var count = VehicleCount(vehicles);
                Retire(count, now);
                Resize(count, _clock.ModelSeconds(now));
            }

            Spread(now);
            _metrics.SetVehiclesActive(_clock.Running ? _active : 0);
            LogSettingsChanged(_logger, _active, IntervalMilliseconds, _clock.Compression);
        }
    }

    public SimulatorStatus Status()
    {
        lock (_lock)
        {
            var now = Now;
            return new SimulatorStatus(
                _clock.Running,
                _source.Kind,
                _active,
                IntervalMilliseconds,
                _clock.Compression,
                _metrics.Published,
                _metrics.Failed,
                _metrics.Dropped,
                _metrics.InFlight,
                _metrics.PublishedPerSecond(now),
                _queue,
                _clock.ReportTime(now));
        }
    }

    /// <summary>
    /// Appends to <paramref name="reports"/> a report for every vehicle due now (none while stopped), stamped with the
    /// simulated time, and moves each one's next report an interval on. A vehicle that fell more than an interval
    /// behind (a long pause of the process) skips the reports it missed instead of sending them in a burst.
    /// </summary>
    public void TakeDueReports(List<PositionReported> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        lock (_lock)
        {
            if (!_clock.Running)
            {
                return;
            }

            var now = Now;
            var modelTime = _clock.ModelSeconds(now);
            var reportTime = _clock.ReportTime(now)!.Value;
            for (var i = 0; i < _active; i++)
            {
                var slot = _slots[i];
                if (slot.NextDue > now)
                {
                    continue;
                }

                slot.Vehicle ??= _source.Create(i, _options.Seed, slot.CreatedAt);
                var sample = slot.Vehicle.Motion.SampleAt(modelTime);
                reports.Add(new PositionReported(slot.Vehicle.Name, sample.Position.Latitude, sample.Position.Longitude, reportTime));
                slot.NextDue += _interval;
                if (slot.NextDue <= now)
                {
                    slot.NextDue = now + _interval;
                }
            }
        }
    }

    /// <summary>
    /// Moves the retirements waiting to be published to <paramref name="retirements"/>, oldest first. The caller publishes
    /// them; none is made again.
    /// </summary>
    public void TakeRetirements(ICollection<VehiclesRetired> retirements)
    {
        ArgumentNullException.ThrowIfNull(retirements);
        lock (_lock)
        {
            foreach (var retirement in _retirements)
            {
                retirements.Add(retirement);
            }

            _retirements.Clear();
        }
    }

    private int IntervalMilliseconds => (int)Math.Round(_interval * 1000);

    /// <summary>
    /// The vehicles beyond <paramref name="count"/> that have reported leave the fleet: a retirement stamped with the
    /// simulated time (every report they sent is at or before it) waits to be published. Vehicles that never reported
    /// are not in anyone's fleet. A stop retires nobody: parked vehicles are still the fleet, and the retention removes
    /// them if they stay parked long.
    /// </summary>
    private void Retire(int count, double now)
    {
        if (count >= _active || _clock.ReportTime(now) is not { } time)
        {
            return;
        }

        var names = _slots.Skip(count).Take(_active - count).Where(s => s.Vehicle is not null).Select(s => s.Vehicle!.Name);
        foreach (var chunk in names.Chunk(VehiclesRetired.MaxNames))
        {
            _retirements.Add(new VehiclesRetired(chunk, time));
        }
    }

    private int VehicleCount(int configured) => configured == 0 ? Math.Min(_source.DefaultCount, SimulatorOptions.MaxVehicles) : configured;

    /// <summary>
    /// Sets how many vehicles drive. Vehicles taken off the road are parked, not forgotten: brought back, they set off
    /// from where they stood, so a vehicle name never jumps across town. New ones set off at <paramref name="modelTime"/>.
    /// </summary>
    private void Resize(int count, double modelTime)
    {
        for (var i = _active; i < count && i < _slots.Count; i++)
        {
            var parked = _slots[i];
            if (parked.Vehicle is null)
            {
                parked.CreatedAt = modelTime;
            }
            else
            {
                parked.Vehicle.Motion.Resume(modelTime);
            }
        }

        while (_slots.Count < count)
        {
            _slots.Add(new Slot(modelTime));
        }

        _active = count;
    }

    /// <summary>Spreads the vehicles' next reports evenly over one interval from <paramref name="now"/>.</summary>
    private void Spread(double now)
    {
        for (var i = 0; i < _active; i++)
        {
            _slots[i].NextDue = now + (_interval * i / _active);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulation running: {Vehicles} vehicles ({Source}), one report each every {IntervalMilliseconds} ms, time x{TimeCompression}, to queue {Queue}")]
    private static partial void LogStarted(ILogger logger, int vehicles, VehicleSourceKind source, int intervalMilliseconds, double timeCompression, string queue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulation stopped ({Published} reports published so far)")]
    private static partial void LogStopped(ILogger logger, long published);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulation settings changed: {Vehicles} vehicles, every {IntervalMilliseconds} ms, time x{TimeCompression}")]
    private static partial void LogSettingsChanged(ILogger logger, int vehicles, int intervalMilliseconds, double timeCompression);

    private sealed class Slot(double createdAt)
    {
        public double CreatedAt { get; set; } = createdAt;

        public SimulatedVehicle? Vehicle { get; set; }

        public double NextDue { get; set; }
    }
}
