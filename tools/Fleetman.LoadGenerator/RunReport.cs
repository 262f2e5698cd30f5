using System.Globalization;
using System.Text;
using HdrHistogram;

namespace Fleetman.LoadGenerator;

/// <summary>Percentiles of one HdrHistogram, in milliseconds (recorded in microseconds).</summary>
internal sealed record LatencyFigures(long Count, double P50, double P90, double P99, double Max, double Mean)
{
    public static LatencyFigures From(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.TotalCount == 0)
        {
            return new(0, 0, 0, 0, 0, 0);
        }

        static double Ms(long microseconds) => Math.Round(microseconds / 1000.0, 3);
        return new(
            histogram.TotalCount,
            Ms(histogram.GetValueAtPercentile(50)),
            Ms(histogram.GetValueAtPercentile(90)),
            Ms(histogram.GetValueAtPercentile(99)),
            Ms(histogram.GetMaxValue()),
            Math.Round(histogram.GetMean() / 1000, 3));
    }
}

/// <summary>One REST route kind over the run.</summary>
internal sealed record RouteFigures(string Route, long Requests, double RequestsPerSecond, long Errors, LatencyFigures LatencyMs);

internal sealed record RestFigures(
    long Requests,
    double RequestsPerSecond,
    long Ok,
    double OkPerSecond,
    long Errors,
    double ErrorRate,
    LatencyFigures LatencyMs,
    IReadOnlyDictionary<string, RouteFigures> Routes,
    IReadOnlyDictionary<string, long> ErrorsByStatus);

internal sealed record HubFigures(
    long ConnectionsOpened,
    long ConnectFailures,
    IReadOnlyDictionary<string, long> ConnectErrors,
    long Reconnects,
    long ConnectionsLost,
    long Snapshots,
    long Frames,
    double FramesPerSecond,
    long Positions,
    double PositionsPerSecond,
    LatencyFigures PushLagMs,
    long LagSamplesAheadOfClock,
    long Follows,
    long FollowFailures);

/// <summary>One target from the command line and whether the run met it. <c>Actual</c> is null without samples.</summary>
internal sealed record TargetResult(string Option, string Measure, double Limit, double? Actual, bool Met);

/// <summary>What a run measured, as printed at the end and written by <c>--json</c>.</summary>
internal sealed record RunReport(
    string BaseUrl,
    string Profile,
    int Users,
    double DurationSeconds,
    double ElapsedSeconds,
    bool Interrupted,
    RestFigures Rest,
    HubFigures Hub,
    IReadOnlyList<TargetResult> Targets,
    IReadOnlyList<string> Hints,
    int ExitCode)
{
    public const int Passed = 0;
    public const int BadOptions = 1;
    public const int TargetMissed = 2;

    public static RunReport Build(LoadOptions options, Measurements measurements, TimeSpan elapsed, bool interrupted)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(measurements);
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        var counters = measurements.Read();
        var requests = measurements.RequestsByKind;
        var errors = measurements.ErrorsByKind;
        var all = new LongHistogram(LatencyRecorder.HighestMicroseconds, 3);
        var routes = new Dictionary<string, RouteFigures>(StringComparer.Ordinal);
        foreach (var kind in Enum.GetValues<RequestKind>())
        {
            var histogram = measurements.Latency(kind).Total;
            all.Add(histogram);
            routes[Key(kind)] = new RouteFigures(Route(kind), requests[kind], Rate(requests[kind], seconds), errors[kind], LatencyFigures.From(histogram));
        }

        var ok = counters.Requests - counters.RequestErrors;
        var rest = new RestFigures(
            counters.Requests,
            Rate(counters.Requests, seconds),
            ok,
            Rate(ok, seconds),
            counters.RequestErrors,
            counters.Requests == 0 ? 0 : Math.Round((double)counters.RequestErrors / counters.Requests, 6),
            LatencyFigures.From(all),
            routes,
            measurements.ErrorsByStatus);
        var hub = new HubFigures(
            counters.ConnectionsOpened,
            counters.ConnectFailures,
            measurements.ConnectErrors,
            counters.Reconnects,
            counters.ConnectionsLost,
            counters.Snapshots,
            counters.Frames,
            Rate(counters.Frames, seconds),
            counters.Positions,
            Rate(counters.Positions, seconds),
            LatencyFigures.From(measurements.PushLag.Total),
            counters.LagAheadOfClock,
            counters.Follows,
            counters.FollowFailures);
        var targets = Evaluate(options.Targets, rest, hub);
        return new RunReport(
            options.BaseUrl.ToString(),
            options.Profile.ToString().ToLowerInvariant(),
            options.Users,
            options.Duration.TotalSeconds,
            Math.Round(elapsed.TotalSeconds, 3),
            interrupted,
            rest,
            hub,
            targets,
            HintsFor(rest, hub),
            targets.All(t => t.Met) ? Passed : TargetMissed);
    }

    public static string Key(RequestKind kind) => kind.ToString().ToLowerInvariant();

    public static string Route(RequestKind kind) => kind switch
    {
        RequestKind.List => "GET /api/vehicles/",
        RequestKind.Vehicle => "GET /api/vehicles/{name}",
        _ => "GET /api/history/{name}",
    };

    public static IReadOnlyList<TargetResult> Evaluate(Targets targets, RestFigures rest, HubFigures hub)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(rest);
        ArgumentNullException.ThrowIfNull(hub);
        var results = new List<TargetResult>();
        void AtMost(double? limit, string option, string measure, double? actual)
        {
            if (limit is { } l)
            {
                results.Add(new(option, measure, l, actual, actual is { } a && a <= l));
            }
        }

        void AtLeast(double? limit, string option, string measure, double? actual)
        {
            if (limit is { } l)
            {
                results.Add(new(option, measure, l, actual, actual is { } a && a >= l));
            }
        }

        AtMost(targets.MaxRequestP99Milliseconds, "--max-request-p99-ms", "REST latency p99, ms", rest.LatencyMs.Count > 0 ? rest.LatencyMs.P99 : null);
        AtMost(targets.MaxPushLagP99Milliseconds, "--max-push-lag-p99-ms", "push lag p99, ms", hub.PushLagMs.Count > 0 ? hub.PushLagMs.P99 : null);
        AtLeast(targets.MinRequestsPerSecond, "--min-requests-per-second", "successful REST requests/s", rest.OkPerSecond);
        AtMost(targets.MaxErrorRate, "--max-error-rate", "failed REST requests / all", rest.Requests > 0 ? rest.ErrorRate : null);
        AtLeast(targets.MinPositionsPerSecond, "--min-positions-per-second", "positions received/s", hub.PositionsPerSecond);
        return results;
    }

    public static IReadOnlyList<string> HintsFor(RestFigures rest, HubFigures hub)
    {
        ArgumentNullException.ThrowIfNull(rest);
        ArgumentNullException.ThrowIfNull(hub);
        var hints = new List<string>();
        if (rest.ErrorsByStatus.ContainsKey("429"))
        {
            hints.Add(RateLimitHint);
        }

        if (hub.Positions > 0 && hub.LagSamplesAheadOfClock > hub.Positions / 100)
        {
            hints.Add(FormattableString.Invariant(
                $"{hub.LagSamplesAheadOfClock:N0} of {hub.Positions:N0} positions carried a time ahead of this machine's clock (counted as 0 ms lag). Push lag compares the receipt time with the time the simulator stamped on the report: it needs Simulator__TimeCompression=1 and clocks in sync (NTP)."));
        }

        if (hub.ConnectionsOpened > 0 && hub.Positions == 0)
        {
            hints.Add("Hub connections came up but no position was pushed: is the simulator running? (GET /admin/simulator/status through the edge)");
        }

        if (hub.ConnectionsOpened == 0 && hub.ConnectFailures > 0)
        {
            hints.Add("No hub connection came up: check that --base-url is the edge gateway and that it proxies /hubs/ with WebSockets.");
        }

        return hints;
    }

    public const string RateLimitHint =
        "429 Too Many Requests: the edge limits /api per client IP (Gateway__ApiRateLimit__PermitsPerSecond, default 20/s, bursts up to that times Gateway__ApiRateLimit__WindowSeconds). "
        + "Every user of this run shares one address: raise the limit on the gateway for load tests, or use fewer --users or a longer --think-time.";

    private static double Rate(long count, double seconds) => Math.Round(count / seconds, 3);

    /// <summary>The final table.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

        text.AppendLine();
        Line($"Fleetman load generator: {Users} users, profile {Profile}, {Durations.Format(TimeSpan.FromSeconds(ElapsedSeconds))} of {Durations.Format(TimeSpan.FromSeconds(DurationSeconds))}{(Interrupted ? " (stopped early)" : "")} against {BaseUrl}");
        text.AppendLine();
        Line($"{"REST",-30} {"requests",10} {"req/s",9} {"errors",8} {"p50 ms",9} {"p90 ms",9} {"p99 ms",9} {"max ms",9}");
        foreach (var route in Rest.Routes.Values)
        {
            Line($"{route.Route,-30} {route.Requests,10:N0} {route.RequestsPerSecond,9:N1} {route.Errors,8:N0} {route.LatencyMs.P50,9:N1} {route.LatencyMs.P90,9:N1} {route.LatencyMs.P99,9:N1} {route.LatencyMs.Max,9:N1}");
        }

        Line($"{"all",-30} {Rest.Requests,10:N0} {Rest.RequestsPerSecond,9:N1} {Rest.Errors,8:N0} {Rest.LatencyMs.P50,9:N1} {Rest.LatencyMs.P90,9:N1} {Rest.LatencyMs.P99,9:N1} {Rest.LatencyMs.Max,9:N1}");
        Line($"successful {Rest.Ok:N0} ({Rest.OkPerSecond:N1}/s), error rate {Rest.ErrorRate * 100:0.##}%{(Rest.ErrorsByStatus.Count > 0 ? "; errors by status: " + string.Join(", ", Rest.ErrorsByStatus.Select(e => FormattableString.Invariant($"{e.Key} x{e.Value:N0}"))) : "")}");
        text.AppendLine();
        Line($"Hub (/hubs/vehicles): {Hub.ConnectionsOpened:N0} connections opened, {Hub.ConnectFailures:N0} failed connects{(Hub.ConnectErrors.Count > 0 ? " (" + string.Join(", ", Hub.ConnectErrors.Select(e => FormattableString.Invariant($"{e.Key} x{e.Value:N0}"))) + ")" : "")}, {Hub.Reconnects:N0} reconnects, {Hub.ConnectionsLost:N0} lost");
        Line($"  {Hub.Snapshots:N0} snapshots, {Hub.Frames:N0} frames ({Hub.FramesPerSecond:N1}/s), {Hub.Positions:N0} positions ({Hub.PositionsPerSecond:N1}/s); {Hub.Follows:N0} follows ({Hub.FollowFailures:N0} failed)");
        Line($"  push lag (receipt - report time), ms: p50 {Hub.PushLagMs.P50:N1}, p90 {Hub.PushLagMs.P90:N1}, p99 {Hub.PushLagMs.P99:N1}, max {Hub.PushLagMs.Max:N1} over {Hub.PushLagMs.Count:N0} positions");
        if (Targets.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Targets:");
            foreach (var target in Targets)
            {
                var actual = target.Actual is { } a ? a.ToString("0.###", CultureInfo.InvariantCulture) : "no samples";
                Line($"  {(target.Met ? "met   " : "MISSED")} {target.Option} {target.Limit:0.###}: {target.Measure} {actual}");
            }
        }

        foreach (var hint in Hints)
        {
            text.AppendLine();
            text.Append("hint: ").AppendLine(hint);
        }

        text.AppendLine();
        var missed = Targets.Where(t => !t.Met).Select(t => t.Option).ToList();
        text.AppendLine(Targets.Count == 0
            ? "Result: no targets given (exit code 0)"
            : missed.Count == 0
                ? $"Result: {(Targets.Count == 1 ? "the target was" : $"all {Targets.Count} targets")} met (exit code 0)"
                : $"Result: target missed: {string.Join(", ", missed)} (exit code 2)");
        return text.ToString();
    }
}
