namespace Fleetman.LoadGenerator;

internal enum LoadProfile
{
    Steady,
    Ramp,
    Spike,
}

/// <summary>What a user does between two think times; weights from <c>--mix</c>.</summary>
internal enum UserAction
{
    /// <summary><c>GET /api/vehicles/</c>: the list (and the page's first load).</summary>
    List,

    /// <summary><c>GET /api/vehicles/{name}</c>: one vehicle.</summary>
    Vehicle,

    /// <summary><c>GET /api/history/{name}</c>, then <c>Follow(name)</c> on the hub for <c>--follow-time</c>.</summary>
    Select,
}

/// <summary>The relative weights of the user actions.</summary>
internal sealed record ActionMix(double List, double Vehicle, double Select)
{
    public static ActionMix Default { get; } = new(70, 20, 10);

    public double Total => List + Vehicle + Select;

    /// <summary>The action for a uniform draw in [0, 1).</summary>
    public UserAction Pick(double draw)
    {
        var point = draw * Total;
        return point < List ? UserAction.List : point < List + Vehicle ? UserAction.Vehicle : UserAction.Select;
    }

    public override string ToString() =>
        FormattableString.Invariant($"list={List:0.##},vehicle={Vehicle:0.##},select={Select:0.##}");
}

/// <summary>Targets; a null one is not checked.</summary>
internal sealed record Targets(
    double? MaxRequestP99Milliseconds = null,
    double? MaxPushLagP99Milliseconds = null,
    double? MinRequestsPerSecond = null,
    double? MaxErrorRate = null,
    double? MinPositionsPerSecond = null)
{
    public bool Any => MaxRequestP99Milliseconds is not null || MaxPushLagP99Milliseconds is not null
        || MinRequestsPerSecond is not null || MaxErrorRate is not null || MinPositionsPerSecond is not null;
}

/// <summary>Everything a run is told on its command line; <see cref="OptionsParser"/> makes one.</summary>
internal sealed record LoadOptions
{
    public required Uri BaseUrl { get; init; }

    public int Users { get; init; } = 10;

    public LoadProfile Profile { get; init; } = LoadProfile.Ramp;

    public TimeSpan RampUp { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Users before and after the spike (profile <c>spike</c>).</summary>
    public int SpikeBase { get; init; }

    public TimeSpan ThinkTime { get; init; } = TimeSpan.FromSeconds(5);

    public ActionMix Mix { get; init; } = ActionMix.Default;

    public TimeSpan FollowTime { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(10);

    public bool SkipNegotiation { get; init; }

    public string? JsonPath { get; init; }

    public int? Seed { get; init; }

    public Targets Targets { get; init; } = new();
}

/// <summary>A bad command line; the message names the option.</summary>
internal sealed class OptionsException(string message) : Exception(message);
