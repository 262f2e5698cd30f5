namespace Fleetman.LoadGenerator.Tests.Unit;

/// <summary>Figures, targets and hints from recorded measurements, without a network.</summary>
public sealed class RunReportTests
{
    private static LoadOptions Options(params string[] extra) => OptionsParser.Parse(["--base-url", "http://h", .. extra]);

    /// <summary>100 list requests taking 1..100 ms, one 429 and one timeout; 200 positions 100..299 ms late, 3 ahead of the clock.</summary>
    private static Measurements Recorded()
    {
        var measurements = new Measurements();
        for (var ms = 1; ms <= 100; ms++)
        {
            measurements.Answered(RequestKind.List, 200, TimeSpan.FromMilliseconds(ms));
        }

        measurements.Answered(RequestKind.History, 429, TimeSpan.FromMilliseconds(2));
        measurements.Failed(RequestKind.Vehicle, "timeout");
        measurements.Frame([.. Enumerable.Range(100, 200).Select(ms => (double)ms)]);
        measurements.Frame([-5, -1, -0.5]);
        measurements.ConnectionOpened();
        measurements.ConnectFailed("503");
        measurements.Reconnecting();
        measurements.Followed(true);
        return measurements;
    }

    private static void TakeTotals(Measurements measurements)
    {
        foreach (var kind in Enum.GetValues<RequestKind>())
        {
            measurements.Latency(kind).TakeInterval();
        }

        measurements.PushLag.TakeInterval();
    }

    [Fact]
    public void Percentiles_rates_and_errors_come_from_the_histograms_and_counters()
    {
        var measurements = Recorded();
        TakeTotals(measurements);

        var report = RunReport.Build(Options(), measurements, TimeSpan.FromSeconds(10), interrupted: false);

        report.Rest.Requests.ShouldBe(102);
        report.Rest.RequestsPerSecond.ShouldBe(10.2);
        report.Rest.Ok.ShouldBe(100);
        report.Rest.Errors.ShouldBe(2);
        report.Rest.ErrorRate.ShouldBe(2.0 / 102, 1e-6);
        report.Rest.ErrorsByStatus.ShouldBe(new Dictionary<string, long> { ["429"] = 1, ["timeout"] = 1 });
        var list = report.Rest.Routes["list"];
        (list.Route, list.Requests, list.Errors).ShouldBe(("GET /api/vehicles/", 100, 0));
        list.LatencyMs.P50.ShouldBe(50, 0.1);
        list.LatencyMs.P90.ShouldBe(90, 0.1);
        list.LatencyMs.P99.ShouldBe(99, 0.1);
        list.LatencyMs.Max.ShouldBe(100, 0.1);
        report.Rest.Routes["history"].Errors.ShouldBe(1);
        report.Rest.Routes["vehicle"].LatencyMs.Count.ShouldBe(0, "a timeout has no latency");
        report.Rest.LatencyMs.Count.ShouldBe(101);

        report.Hub.Positions.ShouldBe(203);
        report.Hub.Frames.ShouldBe(2);
        report.Hub.PositionsPerSecond.ShouldBe(20.3);
        report.Hub.LagSamplesAheadOfClock.ShouldBe(3);
        report.Hub.PushLagMs.Count.ShouldBe(203);
        report.Hub.PushLagMs.P50.ShouldBe(198, 1);
        report.Hub.PushLagMs.Max.ShouldBe(299, 0.5);
        (report.Hub.ConnectionsOpened, report.Hub.ConnectFailures, report.Hub.Reconnects, report.Hub.Follows).ShouldBe((1, 1, 1, 1));
        report.Hub.ConnectErrors.ShouldBe(new Dictionary<string, long> { ["503"] = 1 });
        report.ExitCode.ShouldBe(RunReport.Passed);
        report.Targets.ShouldBeEmpty();
    }

    [Fact]
    public void Targets_met_give_exit_code_0()
    {
        var measurements = Recorded();
        TakeTotals(measurements);

        var report = RunReport.Build(
            Options("--max-request-p99-ms", "100", "--max-push-lag-p99-ms", "300", "--min-requests-per-second", "10",
                "--max-error-rate", "2%", "--min-positions-per-second", "20"),
            measurements, TimeSpan.FromSeconds(10), interrupted: false);

        report.Targets.Select(t => (t.Option, t.Met)).ShouldBe(
        [
            ("--max-request-p99-ms", true), ("--max-push-lag-p99-ms", true), ("--min-requests-per-second", true),
            ("--max-error-rate", true), ("--min-positions-per-second", true),
        ]);
        report.ExitCode.ShouldBe(0);
        report.ToText().ShouldContain("Result: all 5 targets met (exit code 0)");
    }

    [Fact]
    public void A_missed_target_gives_exit_code_2_and_is_named()
    {
        var measurements = Recorded();
        TakeTotals(measurements);

        var report = RunReport.Build(Options("--max-request-p99-ms", "50", "--min-requests-per-second", "10.1"), measurements, TimeSpan.FromSeconds(10), interrupted: false);

        report.ExitCode.ShouldBe(RunReport.TargetMissed);
        var p99 = report.Targets.Single(t => t.Option == "--max-request-p99-ms");
        (p99.Met, p99.Limit).ShouldBe((false, 50));
        p99.Actual.ShouldNotBeNull().ShouldBe(99, 0.1);
        report.Targets.Single(t => t.Option == "--min-requests-per-second").Met.ShouldBeFalse("only the 100 successful requests count: 10/s");
        var text = report.ToText();
        text.ShouldContain("MISSED --max-request-p99-ms 50: REST latency p99, ms 99");
        text.ShouldContain("Result: target missed: --max-request-p99-ms, --min-requests-per-second (exit code 2)");
    }

    [Fact]
    public void A_target_without_samples_is_missed()
    {
        var report = RunReport.Build(Options("--max-push-lag-p99-ms", "1000", "--max-error-rate", "0.5"), new Measurements(), TimeSpan.FromSeconds(5), interrupted: true);

        report.Targets.ShouldAllBe(t => !t.Met && t.Actual == null);
        report.ExitCode.ShouldBe(2);
        report.Interrupted.ShouldBeTrue();
        report.ToText().ShouldContain("MISSED --max-push-lag-p99-ms 1000: push lag p99, ms no samples");
    }

    [Fact]
    public void Rate_limiting_and_clock_trouble_get_hints()
    {
        var measurements = Recorded();
        TakeTotals(measurements);

        var report = RunReport.Build(Options(), measurements, TimeSpan.FromSeconds(10), interrupted: false);

        report.Hints.ShouldContain(RunReport.RateLimitHint);
        report.Hints.ShouldContain(h => h.Contains("ahead of this machine's clock", StringComparison.Ordinal));
        report.ToText().ShouldContain("hint: 429 Too Many Requests: the edge limits /api per client IP (Gateway__ApiRateLimit__PermitsPerSecond");
    }

    [Fact]
    public void Connections_without_positions_point_at_the_simulator()
    {
        var measurements = new Measurements();
        measurements.ConnectionOpened();

        var report = RunReport.Build(Options(), measurements, TimeSpan.FromSeconds(5), interrupted: false);

        report.Hints.ShouldContain(h => h.Contains("is the simulator running?", StringComparison.Ordinal));
    }
}
