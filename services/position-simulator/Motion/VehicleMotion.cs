using Fleetman.PositionSimulator.Routes;

namespace Fleetman.PositionSimulator.Motion;

/// <summary>How one vehicle drives, drawn once from its random stream.</summary>
/// <param name="CruiseSpeed">The speed (m/s) the driver keeps where nothing slows them.</param>
/// <param name="Acceleration">How briskly the vehicle speeds up (m/s²).</param>
public sealed record DrivingProfile(double CruiseSpeed, double Acceleration)
{
    public const double MetresPerSecondPerMph = 0.44704;
    public static readonly UniformRange CruiseSpeedsMph = new(20, 45);
    public static readonly UniformRange Accelerations = new(1.0, 2.0);

    /// <summary>The hardest any vehicle brakes (m/s²); drivers plan for <see cref="DrivingRoute.PlannedDeceleration"/>.</summary>
    public const double MaxDeceleration = 2.5;

    public static DrivingProfile Draw(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var cruiseMph = CruiseSpeedsMph.Draw(random);
        return new DrivingProfile(cruiseMph * MetresPerSecondPerMph, Accelerations.Draw(random));
    }
}

/// <summary>Where a vehicle is at a simulated time.</summary>
/// <param name="Time">Simulated seconds.</param>
/// <param name="Odometer">Metres driven since the vehicle set off.</param>
/// <param name="Speed">m/s.</param>
public readonly record struct MotionSample(double Time, GeoPoint Position, double Odometer, double Speed);

/// <summary>
/// One vehicle driving round its route: it speeds up to its cruise speed at its own acceleration, slows for bends
/// in time to take them at a comfortable sideways acceleration, now and then stops at a junction (or, on a recorded
/// track, anywhere) for 5 to 30 s, and goes round again at the end. Time is an input: the model is stepped in fixed
/// steps of simulated time and positions in between are interpolated along the route, so the path does not depend
/// on when it is asked, and the same random stream gives the same drive.
/// </summary>
public sealed class VehicleMotion
{
    /// <summary>Simulated seconds per integration step.</summary>
    public const double StepSeconds = 0.25;

    public static readonly UniformRange StopSeconds = new(5, 30);

    // Distance driven between two stops, before moving on to the next junction.
    private static readonly UniformRange StopGaps = new(250, 1_500);

    private readonly DrivingRoute _route;
    private readonly DrivingProfile _profile;
    private readonly double _startDistance;
    private readonly Random _random;

    private double _time;
    private double _odometer;
    private double _speed;
    private double _previousTime;
    private double _previousOdometer;
    private double _previousSpeed;
    private double _nextStop;
    private double _stoppedUntil = double.NaN;
    private int _segment;

    /// <param name="startDistance">Where on the route the vehicle starts (metres from the route's start).</param>
    /// <param name="startTime">The simulated time it starts at, standing still.</param>
    /// <param name="random">Its own random stream, used for stops from now on.</param>
    public VehicleMotion(DrivingRoute route, DrivingProfile profile, double startDistance, double startTime, Random random)
    {
        _route = route ?? throw new ArgumentNullException(nameof(route));
        _profile = profile ?? throw new ArgumentNullException(nameof(profile));
        _random = random ?? throw new ArgumentNullException(nameof(random));
        _startDistance = route.Wrap(startDistance);
        _time = _previousTime = startTime;
        _segment = route.SegmentOf(_startDistance);
        ScheduleNextStop();
    }

    public DrivingRoute Route => _route;

    public DrivingProfile Profile => _profile;

    /// <summary>Where the vehicle is at <paramref name="time"/> (simulated seconds; never earlier than the previous call).</summary>
    public MotionSample SampleAt(double time)
    {
        time = Math.Max(time, _previousTime);
        while (_time < time)
        {
            _previousTime = _time;
            _previousOdometer = _odometer;
            _previousSpeed = _speed;
            Step();
        }

        var fraction = _time > _previousTime ? (time - _previousTime) / (_time - _previousTime) : 1;
        var odometer = _previousOdometer + ((_odometer - _previousOdometer) * fraction);
        var speed = _previousSpeed + ((_speed - _previousSpeed) * fraction);
        var along = _route.Wrap(_startDistance + odometer);
        var segment = _route.SegmentOf(along, _segment);
        return new MotionSample(time, _route.PointOnSegment(segment, along), odometer, speed);
    }

    /// <summary>
    /// Carries on at <paramref name="time"/> after being off the road since the last sample: the vehicle sets off from
    /// where it stood, at rest, instead of catching up on the drive it missed.
    /// </summary>
    public void Resume(double time)
    {
        if (time <= _time)
        {
            return;
        }

        _time = _previousTime = time;
        _previousOdometer = _odometer;
        _speed = _previousSpeed = 0;
        if (!double.IsNaN(_stoppedUntil))
        {
            _stoppedUntil = double.NaN;
            ScheduleNextStop();
        }
    }

    private void Step()
    {
        const double dt = StepSeconds;
        if (!double.IsNaN(_stoppedUntil))
        {
            _time += dt;
            if (_time >= _stoppedUntil)
            {
                _stoppedUntil = double.NaN;
                ScheduleNextStop();
            }

            return;
        }

        var along = _route.Wrap(_startDistance + _odometer);
        _segment = _route.SegmentOf(along, _segment);

        // The fastest speed from which the driver can still brake, comfortably, for the bends and the stop ahead,
        // judged from where this step will end.
        var ahead = _speed * dt;
        var toStop = _nextStop - _odometer;
        var allowed = Math.Min(_profile.CruiseSpeed, _route.SpeedLimitAhead(along, _segment, ahead));
        allowed = Math.Min(allowed, Math.Sqrt(2 * DrivingRoute.PlannedDeceleration * Math.Max(0, toStop - ahead)));

        var speed = _speed < allowed
            ? Math.Min(allowed, _speed + (_profile.Acceleration * dt))
            : Math.Max(allowed, _speed - (DrivingProfile.MaxDeceleration * dt));
        _odometer += Math.Min((_speed + speed) / 2 * dt, Math.Max(0, toStop));
        _speed = speed;
        _time += dt;

        if (_speed < 0.05 && _nextStop - _odometer < 1)
        {
            _speed = 0;
            _stoppedUntil = _time + StopSeconds.Draw(_random);
        }
    }

    /// <summary>The next stop: the first junction after a random distance, or just that distance on a route without junctions.</summary>
    private void ScheduleNextStop()
    {
        var gap = _odometer + StopGaps.Draw(_random);
        _nextStop = gap + (_route.DistanceToJunction(_route.Wrap(_startDistance + gap)) ?? 0);
    }
}
