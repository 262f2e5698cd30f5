using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleetman.LoadGenerator;

/// <summary>
/// The command: parses the options, runs the users along the profile's schedule, prints a progress line every
/// <c>--report-interval</c> and the final table, writes <c>--json</c>, and answers the exit code.
/// </summary>
internal static class LoadGeneratorCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Runs the load generator; <paramref name="stop"/> (Ctrl+C, SIGTERM) ends the run early with a full report.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parsed = OptionsParser.ParseCommandLine(args);
        if (parsed.Action is not null && parsed.Errors.Count == 0)
        {
            // --help (and --version): System.CommandLine writes them.
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, stop);
        }

        LoadOptions options;
        try
        {
            options = OptionsParser.ToOptions(parsed);
            PrepareJsonFile(options.JsonPath);
        }
        catch (OptionsException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            await error.WriteLineAsync("Run with --help for the options.");
            return RunReport.BadOptions;
        }

        var report = await new LoadRun(options, output).RunAsync(stop);
        await output.WriteAsync(report.ToText());
        if (options.JsonPath is { } path)
        {
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, Json), CancellationToken.None);
            await output.WriteLineAsync($"Figures written to {path}");
        }

        return report.ExitCode;
    }

    /// <summary>A file that cannot be written is a bad option, found before the run rather than after it.</summary>
    private static void PrepareJsonFile(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.WriteAllText(path, "");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new OptionsException($"--json: cannot write {path}: {ex.Message}");
        }
    }
}

/// <summary>One run: users started and stopped along the schedule, measured together.</summary>
internal sealed class LoadRun(LoadOptions options, TextWriter output)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private readonly Measurements _measurements = new();
    private bool _rateLimitHinted;
    private int _userFailures;
    private string? _firstUserFailure;

    public async Task<RunReport> RunAsync(CancellationToken stop)
    {
        var schedule = LoadSchedule.For(options);
        var seeds = options.Seed is { } seed ? new Random(seed) : new Random();
        await output.WriteLineAsync($"Fleetman load generator -> {options.BaseUrl} ({LiveConnection.HubPath} and api/)");
        await output.WriteLineAsync($"  {schedule.Describe()}");
        await output.WriteLineAsync(FormattableString.Invariant(
            $"  each user: hub connection{(options.SkipNegotiation ? " (no negotiate)" : "")}, REST every {Durations.Format(options.ThinkTime)} ±50% (mix {options.Mix}), follows a selected vehicle for {Durations.Format(options.FollowTime)}; about {(options.ThinkTime > TimeSpan.Zero ? options.Users / options.ThinkTime.TotalSeconds : double.PositiveInfinity):0.#} requests/s at {options.Users} users"));
        if (options.Targets.Any)
        {
            await output.WriteLineAsync("  targets: " + string.Join(", ", DescribeTargets(options.Targets)));
        }

        var running = new Stack<(VirtualUser User, CancellationTokenSource Leave, Task Task)>();
        var finished = new List<Task>();
        var clock = Stopwatch.StartNew();
        var nextReport = options.ReportInterval;
        var previous = _measurements.Read();
        var previousAt = TimeSpan.Zero;
        while (!stop.IsCancellationRequested && clock.Elapsed < options.Duration)
        {
            var elapsed = clock.Elapsed;
            var target = schedule.UsersAt(elapsed);
            while (running.Count < target)
            {
                var user = new VirtualUser(options, _measurements, new Random(seeds.Next()));
                var leave = new CancellationTokenSource();
                running.Push((user, leave, Task.Run(() => user.RunAsync(leave.Token), CancellationToken.None)));
            }

            while (running.Count > target)
            {
                finished.Add(Leave(running.Pop()));
            }

            if (elapsed >= nextReport)
            {
                previous = await ProgressAsync(elapsed, elapsed - previousAt, running.Count, previous);
                previousAt = elapsed;
                nextReport += options.ReportInterval;
                if (nextReport <= elapsed)
                {
                    nextReport = elapsed + options.ReportInterval; // a stalled loop prints one line, not a burst
                }
            }

            var untilEnd = options.Duration - clock.Elapsed;
            try
            {
                await Task.Delay(untilEnd < Tick ? (untilEnd > TimeSpan.Zero ? untilEnd : TimeSpan.Zero) : Tick, stop);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: report what was measured
            }
        }

        var ran = clock.Elapsed;
        var interrupted = stop.IsCancellationRequested;
        await output.WriteLineAsync(interrupted
            ? $"Stopping early after {Durations.Format(ran)}: closing {running.Count} users"
            : $"Done after {Durations.Format(ran)}: closing {running.Count} users");
        while (running.Count > 0)
        {
            finished.Add(Leave(running.Pop()));
        }

        try
        {
            await Task.WhenAll(finished).WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            await output.WriteLineAsync("Some users did not close within 15 s; reporting without them.");
        }

        if (_userFailures > 0)
        {
            await output.WriteLineAsync($"{_userFailures} users ended with an unexpected error; the first: {_firstUserFailure}");
        }

        // The last partial interval joins the totals.
        foreach (var kind in Enum.GetValues<RequestKind>())
        {
            _measurements.Latency(kind).TakeInterval();
        }

        _measurements.PushLag.TakeInterval();
        return RunReport.Build(options, _measurements, ran, interrupted);
    }

    private async Task Leave((VirtualUser User, CancellationTokenSource Leave, Task Task) user)
    {
        await user.Leave.CancelAsync();
        try
        {
            await user.Task;
        }
        catch (Exception ex)
        {
            // A user's loops handle what the network does; anything else is a defect, reported but not fatal to the run.
            if (Interlocked.Increment(ref _userFailures) == 1)
            {
                _firstUserFailure = ex.ToString();
            }
        }
        finally
        {
            user.User.Dispose();
            user.Leave.Dispose();
        }
    }

    /// <summary>
    /// One line per interval, figures of that interval only:
    /// <c>[ 1m 10s] users 20/200, hub 20 up | 38.5 req/s, p50 4.1 p99 12.3 ms, 0 errors | 4,210 pos/s, lag p50 190 p99 340 ms</c>.
    /// </summary>
    private async Task<Counters> ProgressAsync(TimeSpan elapsed, TimeSpan window, int users, Counters before)
    {
        var seconds = Math.Max(window.TotalSeconds, 0.001);
        var now = _measurements.Read();
        var requests = new HdrHistogram.LongHistogram(LatencyRecorder.HighestMicroseconds, 3);
        foreach (var kind in Enum.GetValues<RequestKind>())
        {
            requests.Add(_measurements.Latency(kind).TakeInterval());
        }

        var latency = LatencyFigures.From(requests);
        var lag = LatencyFigures.From(_measurements.PushLag.TakeInterval());
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{Durations.Format(elapsed),8}] users {users}/{options.Users}, hub {_measurements.ConnectedNow} up | {(now.Requests - before.Requests) / seconds:N1} req/s, p50 {latency.P50:N1} p99 {latency.P99:N1} ms, {now.RequestErrors - before.RequestErrors:N0} errors | {(now.Positions - before.Positions) / seconds:N0} pos/s, lag p50 {lag.P50:N0} p99 {lag.P99:N0} ms");
        if (now.ConnectFailures > before.ConnectFailures || now.Reconnects > before.Reconnects)
        {
            line += string.Create(CultureInfo.InvariantCulture, $" | {now.ConnectFailures - before.ConnectFailures} failed connects, {now.Reconnects - before.Reconnects} reconnects");
        }

        await output.WriteLineAsync(line);
        if (now.RateLimited > 0 && !_rateLimitHinted)
        {
            _rateLimitHinted = true;
            await output.WriteLineAsync("hint: " + RunReport.RateLimitHint);
        }

        return now;
    }

    private static IEnumerable<string> DescribeTargets(Targets targets)
    {
        if (targets.MaxRequestP99Milliseconds is { } a)
        {
            yield return FormattableString.Invariant($"REST p99 <= {a} ms");
        }

        if (targets.MaxPushLagP99Milliseconds is { } b)
        {
            yield return FormattableString.Invariant($"push lag p99 <= {b} ms");
        }

        if (targets.MinRequestsPerSecond is { } c)
        {
            yield return FormattableString.Invariant($">= {c} successful requests/s");
        }

        if (targets.MaxErrorRate is { } d)
        {
            yield return FormattableString.Invariant($"error rate <= {d * 100:0.##}%");
        }

        if (targets.MinPositionsPerSecond is { } e)
        {
            yield return FormattableString.Invariant($">= {e} positions/s");
        }
    }
}
