using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Fleetman.LoadGenerator;

/// <summary>
/// The command line, read by System.CommandLine: it finds unknown options, missing and repeated values, and writes
/// <c>--help</c> from the options below; the value parsers here say what a value must look like and name the option.
/// </summary>
internal static class OptionsParser
{
    private static readonly Option<Uri> BaseUrl = new("--base-url")
    {
        Description = "The only address the run talks to, e.g. http://gateway:8080 (the edge gateway).",
        HelpName = "url",
        Required = true,
        CustomParser = ParseBaseUrl,
    };

    private static readonly Option<int> Users = Integer("--users", 10, 1, 100_000, "n", "Simulated browser users.");

    private static readonly Option<LoadProfile> Profile = new("--profile")
    {
        Description = "How users arrive: steady = all at once, held for the whole duration; ramp = started evenly over "
            + "--ramp-up, then held; spike = --spike-base users for the first third, up to --users over --ramp-up, "
            + "held until two thirds, back to --spike-base.",
        HelpName = "steady|ramp|spike",
        DefaultValueFactory = _ => LoadProfile.Ramp,
        CustomParser = ParseProfile,
    };

    private static readonly Option<TimeSpan> RampUp =
        Duration("--ramp-up", TimeSpan.FromSeconds(10), TimeSpan.Zero, TimeSpan.FromDays(30), "Ramp and spike rise time.");

    private static readonly Option<TimeSpan> RunDuration =
        Duration("--duration", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), TimeSpan.FromDays(30), "The whole run, ramp-up included.");

    // No default of its own: it depends on --users, and it may only be given with --profile spike.
    private static readonly Option<int?> SpikeBase = new("--spike-base")
    {
        Description = "Users outside the spike (--profile spike only) [default: a tenth of --users]",
        HelpName = "n",
        CustomParser = result => ParseInteger(result, int.MinValue, int.MaxValue),
    };

    private static readonly Option<TimeSpan> ThinkTime = Duration(
        "--think-time", TimeSpan.FromSeconds(5), TimeSpan.Zero, TimeSpan.FromHours(1), "Mean pause between two actions of a user, varied ±50%.");

    private static readonly Option<ActionMix> Mix = new("--mix")
    {
        Description = "Action weights: list = GET /api/vehicles/, vehicle = GET /api/vehicles/{name}, "
            + "select = GET /api/history/{name} and Follow the vehicle on the hub.",
        HelpName = "list=70,vehicle=20,select=10",
        DefaultValueFactory = _ => ActionMix.Default,
        CustomParser = ParseMix,
    };

    private static readonly Option<TimeSpan> FollowTime = Duration(
        "--follow-time", TimeSpan.FromSeconds(30), TimeSpan.Zero, TimeSpan.FromDays(1), "How long a selected vehicle stays followed.");

    private static readonly Option<TimeSpan> RequestTimeout = Duration(
        "--request-timeout", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10), "A request not answered by then counts as an error.");

    private static readonly Option<bool> SkipNegotiation = new("--skip-negotiation")
    {
        Description = "Connect WebSockets straight away, without SignalR's negotiate request.",
        // A flag: --skip-negotiation=yes is refused rather than read as a value.
        Arity = ArgumentArity.Zero,
    };

    private static readonly Option<int?> Seed = new("--seed")
    {
        Description = "Make users' choices repeatable.",
        HelpName = "n",
        CustomParser = result => ParseInteger(result, int.MinValue, int.MaxValue),
    };

    private static readonly Option<TimeSpan> ReportInterval = Duration(
        "--report-interval", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), "Progress line interval.");

    private static readonly Option<string?> Json = new("--json")
    {
        Description = "Also write the final figures as JSON to this file.",
        HelpName = "file",
        CustomParser = result => Single(result) is { } text && string.IsNullOrWhiteSpace(text) ? Fail<string>(result, "--json needs a file name") : Single(result),
    };

    private static readonly Option<double?> MaxRequestP99 =
        Number("--max-request-p99-ms", 0.001, "ms", "Target: 99th percentile of REST latency, all requests.");

    private static readonly Option<double?> MaxPushLagP99 =
        Number("--max-push-lag-p99-ms", 0.001, "ms", "Target: 99th percentile of push lag (receipt time - the position's report time).");

    private static readonly Option<double?> MinRequestsPerSecond =
        Number("--min-requests-per-second", 0, "n", "Target: REST requests per second over the run.");

    private static readonly Option<double?> MaxErrorRate = new("--max-error-rate")
    {
        Description = "Target: failed REST requests / all, e.g. 0.01 or 1%.",
        HelpName = "fraction|%",
        CustomParser = ParseErrorRate,
    };

    private static readonly Option<double?> MinPositionsPerSecond =
        Number("--min-positions-per-second", 0, "n", "Target: positions received per second, all users together.");

    private static readonly RootCommand Command = CreateCommand();

    /// <summary>
    /// Parses the arguments. A result whose <see cref="ParseResult.Action"/> is set (<c>--help</c>, <c>--version</c>)
    /// is to be invoked instead of running.
    /// </summary>
    public static ParseResult ParseCommandLine(IReadOnlyList<string> args) =>
        // No response files: an argument that starts with @ is a value like any other.
        Command.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

    /// <summary>Parses the arguments, or throws <see cref="OptionsException"/> naming the bad option.</summary>
    public static LoadOptions Parse(IReadOnlyList<string> args) => ToOptions(ParseCommandLine(args));

    /// <summary>The options of a parse result, or <see cref="OptionsException"/> with its errors.</summary>
    public static LoadOptions ToOptions(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Errors.Count > 0)
        {
            // All of them: after a missing value the parser may first report the next token as unexpected.
            throw new OptionsException(string.Join(" ", result.Errors.Select(e => e.Message)));
        }

        var users = result.GetValue(Users);
        var profile = result.GetValue(Profile);
        var duration = result.GetValue(RunDuration);
        var rampUp = result.GetValue(RampUp);
        var spikeBase = result.GetValue(SpikeBase);
        if (spikeBase is < 0 || spikeBase > users)
        {
            throw new OptionsException(FormattableString.Invariant($"--spike-base: {spikeBase} is out of range (0 to {users})"));
        }

        if (spikeBase is not null && profile != LoadProfile.Spike)
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
            BaseUrl = result.GetValue(BaseUrl)!,
            Users = users,
            Profile = profile,
            RampUp = rampUp,
            Duration = duration,
            SpikeBase = spikeBase ?? users / 10,
            ThinkTime = result.GetValue(ThinkTime),
            Mix = result.GetValue(Mix)!,
            FollowTime = result.GetValue(FollowTime),
            RequestTimeout = result.GetValue(RequestTimeout),
            ReportInterval = result.GetValue(ReportInterval),
            SkipNegotiation = result.GetValue(SkipNegotiation),
            JsonPath = result.GetValue(Json),
            Seed = result.GetValue(Seed),
            Targets = new Targets(
                result.GetValue(MaxRequestP99),
                result.GetValue(MaxPushLagP99),
                result.GetValue(MinRequestsPerSecond),
                result.GetValue(MaxErrorRate),
                result.GetValue(MinPositionsPerSecond)),
        };
    }

    private static RootCommand CreateCommand()
    {
        var command = new RootCommand("""
            Fleetman load generator: plays N browser users against one Fleetman address (the edge gateway). Each user keeps
            a SignalR connection to /hubs/vehicles (live positions) and calls the REST API with think times in between.

            Durations: 500ms, 30s, 10m, 1h30m; a bare number is seconds.
            Exit codes: 0 every given target met, 1 bad options, 2 a target missed (targets are the --max-* and --min-* options).
            """);
        foreach (var option in new Option[]
        {
            BaseUrl, Users, Profile, RampUp, RunDuration, SpikeBase, ThinkTime, Mix, FollowTime, RequestTimeout, SkipNegotiation, Seed,
            ReportInterval, Json, MaxRequestP99, MaxPushLagP99, MinRequestsPerSecond, MaxErrorRate, MinPositionsPerSecond,
        })
        {
            command.Options.Add(option);
        }

        return command;
    }

    private static Option<int> Integer(string name, int fallback, int min, int max, string helpName, string description) => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => fallback,
        CustomParser = result => ParseInteger(result, min, max) ?? fallback,
    };

    private static Option<TimeSpan> Duration(string name, TimeSpan fallback, TimeSpan min, TimeSpan max, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        DefaultValueFactory = _ => fallback,
        CustomParser = result => ParseDuration(result, min, max) ?? fallback,
    };

    private static Option<double?> Number(string name, double min, string helpName, string description) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result => ParseNumber(result, min),
    };

    /// <summary>The option's one value (the parser has checked there is exactly one), or null when it was not given.</summary>
    private static string? Single(ArgumentResult result) => result.Tokens.Count == 0 ? null : result.Tokens[0].Value;

    private static string OptionName(ArgumentResult result) => ((OptionResult)result.Parent!).Option.Name;

    private static T? Fail<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default;
    }

    private static Uri? ParseBaseUrl(ArgumentResult result)
    {
        var text = Single(result);
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return Fail<Uri>(result, $"--base-url: \"{text}\" is not an http:// or https:// address without query or credentials");
        }

        // A trailing slash makes relative paths (api/vehicles/) land under a path prefix, if the edge has one.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
    }

    private static LoadProfile ParseProfile(ArgumentResult result) => Single(result) is not { } text
        ? LoadProfile.Ramp
        : text.ToLowerInvariant() switch
        {
            "steady" => LoadProfile.Steady,
            "ramp" => LoadProfile.Ramp,
            "spike" => LoadProfile.Spike,
            _ => Fail<LoadProfile>(result, $"--profile: \"{text}\" is not one of steady, ramp, spike"),
        };

    private static int? ParseInteger(ArgumentResult result, int min, int max)
    {
        if (Single(result) is not { } text)
        {
            return null;
        }

        var name = OptionName(result);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return Fail<int?>(result, $"{name}: \"{text}\" is not a whole number");
        }

        return value < min || value > max
            ? Fail<int?>(result, FormattableString.Invariant($"{name}: {value} is out of range ({min} to {max})"))
            : value;
    }

    private static double? ParseNumber(ArgumentResult result, double min)
    {
        if (Single(result) is not { } text)
        {
            return null;
        }

        var name = OptionName(result);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return Fail<double?>(result, $"{name}: \"{text}\" is not a number");
        }

        return value < min ? Fail<double?>(result, FormattableString.Invariant($"{name}: {value} is below {min}")) : value;
    }

    private static double? ParseErrorRate(ArgumentResult result)
    {
        if (Single(result) is not { } text)
        {
            return null;
        }

        const string name = "--max-error-rate";
        var percent = text.EndsWith('%');
        if (!double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return Fail<double?>(result, $"{name}: \"{text}\" is not a fraction (0.01) or a percentage (1%)");
        }

        var rate = percent ? value / 100 : value;
        return rate is < 0 or > 1 ? Fail<double?>(result, $"{name}: \"{text}\" is not between 0 and 1 (0% and 100%)") : rate;
    }

    private static TimeSpan? ParseDuration(ArgumentResult result, TimeSpan min, TimeSpan max)
    {
        if (Single(result) is not { } text)
        {
            return null;
        }

        var name = OptionName(result);
        if (!Durations.TryParse(text, out var value))
        {
            return Fail<TimeSpan?>(result, $"{name}: \"{text}\" is not a duration (e.g. 500ms, 30s, 10m, 1h30m)");
        }

        return value < min || value > max
            ? Fail<TimeSpan?>(result, $"{name}: {Durations.Format(value)} is out of range ({Durations.Format(min)} to {Durations.Format(max)})")
            : value;
    }

    private static ActionMix ParseMix(ArgumentResult result)
    {
        if (Single(result) is not { } text)
        {
            return ActionMix.Default;
        }

        double list = 0, vehicle = 0, select = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight)
                || !double.IsFinite(weight) || weight < 0)
            {
                return Fail<ActionMix>(result, $"--mix: \"{part}\" is not action=weight with a weight of 0 or more")!;
            }

            if (!seen.Add(pair[0]))
            {
                return Fail<ActionMix>(result, $"--mix: {pair[0]} is given twice")!;
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
                    return Fail<ActionMix>(result, $"--mix: unknown action \"{pair[0]}\" (list, vehicle, select)")!;
            }
        }

        return list + vehicle + select > 0
            ? new ActionMix(list, vehicle, select)
            : Fail<ActionMix>(result, "--mix: at least one action needs a weight above 0")!;
    }
}
