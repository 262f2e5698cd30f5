namespace Fleetman.LoadGenerator;

/// <summary>
/// How many users should be active at a point of the run, for each profile:
/// <list type="bullet">
/// <item><c>steady</c>: every user from the start to the end;</item>
/// <item><c>ramp</c>: users start evenly spaced over the ramp-up, the first at once, then all stay to the end;</item>
/// <item><c>spike</c>: the base users for the first third, a rise to every user over the ramp-up starting at one
/// third, held until two thirds, then at once back to the base users until the end.</item>
/// </list>
/// After the duration the answer is 0.
/// </summary>
internal sealed class LoadSchedule
{
    private readonly LoadProfile _profile;
    private readonly int _users;
    private readonly int _base;
    private readonly TimeSpan _rampUp;
    private readonly TimeSpan _duration;

    public LoadSchedule(LoadProfile profile, int users, TimeSpan rampUp, TimeSpan duration, int spikeBase = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(users, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(rampUp, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(spikeBase);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(spikeBase, users);
        _profile = profile;
        _users = users;
        _rampUp = rampUp;
        _duration = duration;
        _base = spikeBase;
    }

    public static LoadSchedule For(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.Profile, options.Users, options.RampUp, options.Duration, options.SpikeBase);
    }

    /// <summary>When the spike starts rising and when it drops (profile spike).</summary>
    public (TimeSpan Rise, TimeSpan Drop) Spike => (_duration / 3, _duration * 2 / 3);

    public int UsersAt(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero || elapsed >= _duration)
        {
            return 0;
        }

        return _profile switch
        {
            LoadProfile.Steady => _users,
            LoadProfile.Ramp => Rising(0, _users, elapsed),
            _ when elapsed < Spike.Rise || elapsed >= Spike.Drop => _base,
            _ => Rising(_base, _users, elapsed - Spike.Rise),
        };
    }

    /// <summary>
    /// From <paramref name="from"/> to <paramref name="to"/> users over the ramp-up: the k-th added user (k from 0)
    /// starts at k / added × ramp-up, so the first starts at once and the last one ramp-up / added before its end.
    /// </summary>
    private int Rising(int from, int to, TimeSpan sinceStart)
    {
        var added = to - from;
        if (added == 0 || _rampUp == TimeSpan.Zero || sinceStart >= _rampUp)
        {
            return to;
        }

        var started = (int)Math.Floor(sinceStart.Ticks * (double)added / _rampUp.Ticks) + 1;
        return from + Math.Min(added, started);
    }

    /// <summary>One line for the run's header.</summary>
    public string Describe() => _profile switch
    {
        LoadProfile.Steady => $"steady: {_users} users from the start for {Durations.Format(_duration)}",
        LoadProfile.Ramp => $"ramp: up to {_users} users over {Durations.Format(_rampUp)}, held until {Durations.Format(_duration)}",
        _ => $"spike: {_base} users, up to {_users} over {Durations.Format(_rampUp)} at {Durations.Format(Spike.Rise)}, back to {_base} at {Durations.Format(Spike.Drop)}, end at {Durations.Format(_duration)}",
    };
}
