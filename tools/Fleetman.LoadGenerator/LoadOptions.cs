using System.Globalization;

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

internal static class OptionsParser
{
    public const string Usage = """
        Fleetman load generator: plays N browser users against one Fleetman address (the edge gateway). Each user keeps
        a SignalR connection to /hubs/vehicles (live positions) and calls the REST API with think times in between.

        Usage: Fleetman.LoadGenerator --base-url <url> [options]

        Load
          --base-url <url>              the only address the run talks to, e.g. http://gateway:8080 (required)
          --users <n>                   simulated browser users (default 10)
          --profile <steady|ramp|spike> how users arrive (default ramp):
                                          steady  all users at once, held for the whole duration
                                          ramp    users start evenly over --ramp-up, then hold
                                          spike   --spike-base users for the first third, up to --users over
                                                  --ramp-up, held until two thirds, back to --spike-base
          --ramp-up <duration>          ramp and spike rise time (default 10s)
          --duration <duration>         the whole run, ramp-up included (default 60s)
          --spike-base <n>              users outside the spike (default a tenth of --users)
          --think-time <duration>       mean pause between two actions of a user, varied ±50% (default 5s)
          --mix <list=70,vehicle=20,select=10>
                                        action weights: list = GET /api/vehicles/, vehicle = GET /api/vehicles/{name},
                                        select = GET /api/history/{name} and Follow the vehicle on the hub
          --follow-time <duration>      how long a selected vehicle stays followed (default 30s)
          --request-timeout <duration>  a request not answered by then counts as an error (default 10s)
          --skip-negotiation            connect WebSockets straight away, without SignalR's negotiate request
          --seed <n>                    make users' choices repeatable

        Output
          --report-interval <duration>  progress line interval (default 10s)
          --json <file>                 also write the final figures as JSON

        Targets (exit code 2 when one is missed)
          --max-request-p99-ms <ms>        99th percentile of REST latency, all requests
          --max-push-lag-p99-ms <ms>       99th percentile of push lag (receipt time - the position's report time)
          --min-requests-per-second <n>    REST requests per second over the run
          --max-error-rate <fraction|%>    failed REST requests / all, e.g. 0.01 or 1%
          --min-positions-per-second <n>   positions received per second, all users together

        Durations: 500ms, 30s, 10m, 1h30m; a bare number is seconds.
        Exit codes: 0 every given target met, 1 bad options, 2 a target missed.
        """;

    /// <summary>Parses the arguments, or throws <see cref="OptionsException"/> naming the bad option.</summary>
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new OptionsException($"unexpected argument \"{arg}\": options start with --");
            }

            var name = arg;
            string? value = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }

            if (Flags.Contains(name))
            {
                if (value is not null)
                {
                    throw new OptionsException($"{name} takes no value");
                }

                flags.Add(name);
                continue;
            }

            if (!Valued.Contains(name))
            {
                throw new OptionsException($"unknown option {name}");
            }

            if (value is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new OptionsException($"{name} needs a value");
                }

                value = args[++i];
            }

            if (!values.TryAdd(name, value))
            {
                throw new OptionsException($"{name} is given twice");
            }
        }

        var baseUrl = values.TryGetValue("--base-url", out var url)
            ? ParseBaseUrl(url)
            : throw new OptionsException("--base-url is required, e.g. --base-url http://127.0.0.1:8080");
        var users = Integer(values, "--users", 10, 1, 100_000);
        var profile = values.TryGetValue("--profile", out var p)
            ? p.ToLowerInvariant() switch
            {
                "steady" => LoadProfile.Steady,
                "ramp" => LoadProfile.Ramp,
                "spike" => LoadProfile.Spike,
                _ => throw new OptionsException($"--profile: \"{p}\" is not one of steady, ramp, spike"),
            }
            : LoadProfile.Ramp;
        var duration = Duration(values, "--duration", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), TimeSpan.FromDays(30));
        var rampUp = Duration(values, "--ramp-up", TimeSpan.FromSeconds(10), TimeSpan.Zero, TimeSpan.FromDays(30));
        var spikeBase = Integer(values, "--spike-base", users / 10, 0, users);
        if (values.ContainsKey("--spike-base") && profile != LoadProfile.Spike)
        {
            throw new OptionsException("--spike-base applies to --profile spike only");
        }

        switch (profile)
        {
            case LoadProfile.Ramp when rampUp > duration:
                throw new OptionsException($"--ramp-up ({Durations.Format(rampUp)}) is longer than --duration ({Durations.Format(duration)})");
            case LoadProfile.Spike when rampUp > duration / 3:
                throw new OptionsException($"--ramp-up ({Durations.Format(rampUp)}) is longer than a third of --duration ({Durations.Format(duration / 3)}), the spike's share of the run");
            default:
                break;
        }

        return new LoadOptions
        {
            BaseUrl = baseUrl,
            Users = users,
            Profile = profile,
            RampUp = rampUp,
            Duration = duration,
            SpikeBase = spikeBase,
            ThinkTime = Duration(values, "--think-time", TimeSpan.FromSeconds(5), TimeSpan.Zero, TimeSpan.FromHours(1)),
            Mix = values.TryGetValue("--mix", out var mix) ? ParseMix(mix) : ActionMix.Default,
            FollowTime = Duration(values, "--follow-time", TimeSpan.FromSeconds(30), TimeSpan.Zero, TimeSpan.FromDays(1)),
            RequestTimeout = Duration(values, "--request-timeout", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10)),
            ReportInterval = Duration(values, "--report-interval", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            SkipNegotiation = flags.Contains("--skip-negotiation"),
            JsonPath = values.TryGetValue("--json", out var json)
                ? (string.IsNullOrWhiteSpace(json) ? throw new OptionsException("--json needs a file name") : json)
                : null,
            Seed = values.ContainsKey("--seed") ? Integer(values, "--seed", 0, int.MinValue, int.MaxValue) : null,
            Targets = new Targets(
                Number(values, "--max-request-p99-ms", 0.001),
                Number(values, "--max-push-lag-p99-ms", 0.001),
                Number(values, "--min-requests-per-second", 0),
                ErrorRate(values),
                Number(values, "--min-positions-per-second", 0)),
        };
    }

    public static bool WantsHelp(IReadOnlyList<string> args) => args.Any(a => a is "--help" or "-h" or "-?");

    private static readonly HashSet<string> Flags = ["--skip-negotiation"];

    private static readonly HashSet<string> Valued =
    [
        "--base-url", "--users", "--profile", "--ramp-up", "--duration", "--spike-base", "--think-time", "--mix",
        "--follow-time", "--request-timeout", "--report-interval", "--json", "--seed",
        "--max-request-p99-ms", "--max-push-lag-p99-ms", "--min-requests-per-second", "--max-error-rate", "--min-positions-per-second",
    ];

    private static Uri ParseBaseUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new OptionsException($"--base-url: \"{text}\" is not an http:// or https:// address without query or credentials");
        }

        // A trailing slash makes relative paths (api/vehicles/) land under a path prefix, if the edge has one.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
    }

    private static int Integer(Dictionary<string, string> values, string name, int fallback, int min, int max)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new OptionsException($"{name}: \"{text}\" is not a whole number");
        }

        return value < min || value > max
            ? throw new OptionsException(FormattableString.Invariant($"{name}: {value} is out of range ({min} to {max})"))
            : value;
    }

    private static double? Number(Dictionary<string, string> values, string name, double min)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new OptionsException($"{name}: \"{text}\" is not a number");
        }

        return value < min ? throw new OptionsException(FormattableString.Invariant($"{name}: {value} is below {min}")) : value;
    }

    private static double? ErrorRate(Dictionary<string, string> values)
    {
        const string name = "--max-error-rate";
        if (!values.TryGetValue(name, out var text))
        {
            return null;
        }

        var percent = text.EndsWith('%');
        if (!double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new OptionsException($"{name}: \"{text}\" is not a fraction (0.01) or a percentage (1%)");
        }

        var rate = percent ? value / 100 : value;
        return rate is < 0 or > 1 ? throw new OptionsException($"{name}: \"{text}\" is not between 0 and 1 (0% and 100%)") : rate;
    }

    private static TimeSpan Duration(Dictionary<string, string> values, string name, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!Durations.TryParse(text, out var value))
        {
            throw new OptionsException($"{name}: \"{text}\" is not a duration (e.g. 500ms, 30s, 10m, 1h30m)");
        }

        return value < min || value > max
            ? throw new OptionsException($"{name}: {Durations.Format(value)} is out of range ({Durations.Format(min)} to {Durations.Format(max)})")
            : value;
    }

    private static ActionMix ParseMix(string text)
    {
        double list = 0, vehicle = 0, select = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight)
                || !double.IsFinite(weight) || weight < 0)
            {
                throw new OptionsException($"--mix: \"{part}\" is not action=weight with a weight of 0 or more");
            }

            if (!seen.Add(pair[0]))
            {
                throw new OptionsException($"--mix: {pair[0]} is given twice");
            }

            switch (pair[0])
            {
                case "list":
                    list = weight;
                    break;
                case "vehicle":
                    vehicle = weight;
                    break;
                case "select":
                    select = weight;
                    break;
                default:
                    throw new OptionsException($"--mix: unknown action \"{pair[0]}\" (list, vehicle, select)");
            }
        }

        return list + vehicle + select > 0
            ? new ActionMix(list, vehicle, select)
            : throw new OptionsException("--mix: at least one action needs a weight above 0");
    }
}
