namespace Fleetman.LoadGenerator.Tests.System;

/// <summary>
/// A whole Fleetman as real processes in an isolated run: position-tracker, queue-consumer, api-gateway, a simulator
/// with 10 vehicles reporting twice a second, and two edge gateways in front of them: one with the API rate limit
/// raised for load, one allowing a single request a second per client.
/// </summary>
public sealed class LiveFleetman : IAsyncLifetime
{
    public const int Vehicles = 10;

    private readonly List<ServiceProcess> _edges = [];
    private string _webRoot = "";

    public IsolatedRun Run { get; private set; } = null!;

    public ServiceProcess Edge { get; private set; } = null!;

    public ServiceProcess LimitedEdge { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Run = await IsolatedRun.StartAsync();
        // Side by side where nothing waits for another (each start takes seconds on a shared machine): the tracker,
        // the consumer and the simulator, then the api-gateway (it needs the tracker), then both edges.
        var trackerStarting = Run.StartTrackerAsync();
        var consumerStarting = Run.StartConsumerAsync();
        var simulatorStarting = Run.StartSimulatorAsync(new Dictionary<string, string?>
        {
            ["Simulator__Vehicles"] = Vehicles.ToString(CultureInfo.InvariantCulture),
            ["Simulator__ReportIntervalMilliseconds"] = "500",
            ["Simulator__TimeCompression"] = "1", // reports carry wall-clock times: push lag is meaningful
        });
        var api = await Run.StartGatewayAsync(await trackerStarting);
        var simulator = await simulatorStarting;
        await consumerStarting;
        // The edge serves a page too; these tests only need one to exist.
        _webRoot = Directory.CreateTempSubdirectory("fleetman-loadgen-web-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_webRoot, "index.html"), "<!doctype html><title>Fleetman</title>");
        var edgeStarting = StartEdgeAsync(api, simulator, permitsPerSecond: 100_000, windowSeconds: 10);
        var limitedStarting = StartEdgeAsync(api, simulator, permitsPerSecond: 1, windowSeconds: 1);
        Edge = await edgeStarting;
        LimitedEdge = await limitedStarting;

        var known = 0;
        await Eventually.Until(() =>
        {
            try
            {
                known = Edge.GetJsonAsync<JsonElement[]>("/api/vehicles/").GetAwaiter().GetResult().Length;
            }
            catch (HttpRequestException)
            {
                // not stored yet
            }

            return known >= Vehicles;
        }, TimeSpan.FromSeconds(30), () => $"{known} of {Vehicles} vehicles visible through the edge");
    }

    private async Task<ServiceProcess> StartEdgeAsync(ServiceProcess api, ServiceProcess simulator, int permitsPerSecond, int windowSeconds)
    {
        var edge = await ServiceProcess.StartProjectAsync("gateway", "Fleetman.Gateway", Run.Environment(new Dictionary<string, string?>
        {
            ["ReverseProxy__Clusters__api-gateway__Destinations__d1__Address"] = api.Http.BaseAddress!.ToString(),
            ["ReverseProxy__Clusters__position-simulator__Destinations__d1__Address"] = simulator.Http.BaseAddress!.ToString(),
            ["Webapp__Root"] = _webRoot,
            ["Gateway__ApiRateLimit__PermitsPerSecond"] = permitsPerSecond.ToString(CultureInfo.InvariantCulture),
            ["Gateway__ApiRateLimit__WindowSeconds"] = windowSeconds.ToString(CultureInfo.InvariantCulture),
        }));
        lock (_edges)
        {
            _edges.Add(edge);
        }

        return edge;
    }

    public async Task DisposeAsync()
    {
        foreach (var edge in _edges)
        {
            await edge.DisposeAsync();
        }

        await Run.DisposeAsync();
        Directory.Delete(_webRoot, recursive: true);
    }
}

/// <summary>Short runs of the load generator against <see cref="LiveFleetman"/>.</summary>
public sealed class LiveRunTests(LiveFleetman fleetman) : IClassFixture<LiveFleetman>
{
    private static async Task<(int ExitCode, string Output, string Error)> RunInProcessAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await LoadGeneratorCommand.RunAsync(args, output, error, CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }

    private string EdgeUrl => fleetman.Edge.Http.BaseAddress!.ToString();

    [Fact]
    public async Task Users_get_requests_answered_and_positions_pushed_and_easy_targets_are_met()
    {
        var json = Path.Combine(Path.GetTempPath(), $"fleetman-loadgen-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, output, error) = await RunInProcessAsync(
                // Targets any working system meets on a loaded machine too: a CI run once measured a 1.25 s median for the
                // list while other test assemblies ran, 0.8 requests/s in 6 s. What they measure is the benchmarks'
                // business; this test is about the run and its verdict.
                "--base-url", EdgeUrl, "--users", "4", "--profile", "steady", "--duration", "12s", "--think-time", "300ms",
                "--mix", "list=1,vehicle=1,select=1", "--follow-time", "2s", "--report-interval", "2s", "--seed", "1", "--json", json,
                "--max-request-p99-ms", "10000", "--max-push-lag-p99-ms", "10000", "--min-requests-per-second", "0.2",
                "--max-error-rate", "0.05", "--min-positions-per-second", "1");

            exitCode.ShouldBe(0, output + error);
            output.ShouldContain("Result: all 5 targets met (exit code 0)");
            output.Split('\n').Count(l => l.StartsWith('[') && l.Contains("users 4/4", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(2, output);

            using var figures = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var rest = figures.RootElement.GetProperty("rest");
            // Every user asked more than once; how many more depends on how fast a busy machine answers (a user waits
            // for each answer), which is the benchmarks' business, not this test's.
            rest.GetProperty("requests").GetInt64().ShouldBeGreaterThan(4, output);
            rest.GetProperty("errors").GetInt64().ShouldBe(0, output);
            foreach (var route in new[] { "list", "vehicle", "history" })
            {
                rest.GetProperty("routes").GetProperty(route).GetProperty("requests").GetInt64().ShouldBeGreaterThan(0, route);
            }

            PlausiblePercentiles(rest.GetProperty("latencyMs"), below: 10_000);
            var hub = figures.RootElement.GetProperty("hub");
            hub.GetProperty("connectionsOpened").GetInt64().ShouldBeGreaterThanOrEqualTo(4);
            hub.GetProperty("connectFailures").GetInt64().ShouldBe(0);
            hub.GetProperty("snapshots").GetInt64().ShouldBeGreaterThanOrEqualTo(4);
            hub.GetProperty("positions").GetInt64().ShouldBeGreaterThan(4 * LiveFleetman.Vehicles, "every user sees several reports of every vehicle");
            hub.GetProperty("follows").GetInt64().ShouldBeGreaterThan(0);
            hub.GetProperty("followFailures").GetInt64().ShouldBe(0);
            PlausiblePercentiles(hub.GetProperty("pushLagMs"), below: 10_000);
            figures.RootElement.GetProperty("exitCode").GetInt32().ShouldBe(0);
            figures.RootElement.GetProperty("targets").GetArrayLength().ShouldBe(5);
        }
        finally
        {
            File.Delete(json);
        }
    }

    private static void PlausiblePercentiles(JsonElement latency, double below)
    {
        var (p50, p90, p99, max) = (latency.GetProperty("p50").GetDouble(), latency.GetProperty("p90").GetDouble(),
            latency.GetProperty("p99").GetDouble(), latency.GetProperty("max").GetDouble());
        latency.GetProperty("count").GetInt64().ShouldBeGreaterThan(0);
        p50.ShouldBeGreaterThan(0);
        p50.ShouldBeLessThanOrEqualTo(p90);
        p90.ShouldBeLessThanOrEqualTo(p99);
        p99.ShouldBeLessThanOrEqualTo(max);
        max.ShouldBeLessThan(below);
    }

    [Fact]
    public async Task An_impossible_target_is_named_and_exits_with_2()
    {
        var (exitCode, output, _) = await RunInProcessAsync(
            "--base-url", EdgeUrl, "--users", "2", "--profile", "steady", "--duration", "3s", "--think-time", "200ms",
            "--max-request-p99-ms", "0.001", "--min-positions-per-second", "1");

        exitCode.ShouldBe(2, output);
        output.ShouldContain("MISSED --max-request-p99-ms 0.001: REST latency p99, ms");
        output.ShouldContain("met    --min-positions-per-second 1");
        output.ShouldContain("Result: target missed: --max-request-p99-ms (exit code 2)");
    }

    [Fact]
    public async Task Rate_limited_requests_are_errors_by_status_with_a_hint()
    {
        var (exitCode, output, _) = await RunInProcessAsync(
            // Long enough that a progress line follows the first 429s even when a loaded machine is slow to start the users.
            "--base-url", fleetman.LimitedEdge.Http.BaseAddress!.ToString(), "--users", "2", "--profile", "steady", "--duration", "6s",
            "--think-time", "100ms", "--mix", "list=1", "--report-interval", "1s");

        exitCode.ShouldBe(0, "no targets given");
        output.ShouldContain("errors by status: 429 x");
        output.ShouldContain("hint: " + RunReport.RateLimitHint);
        output.Split('\n').Count(l => l.Contains(RunReport.RateLimitHint, StringComparison.Ordinal)).ShouldBe(2, "once when 429s first show, once at the end");
    }

    [Fact]
    public async Task As_a_process_SIGTERM_ends_the_run_early_with_the_report()
    {
        var dll = ServiceProcess.BuildOutput(Path.Combine("tools", "Fleetman.LoadGenerator"), "Fleetman.LoadGenerator");
        File.Exists(dll).ShouldBeTrue(dll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { dll, "--base-url", EdgeUrl, "--users", "2", "--profile", "steady", "--duration", "10m", "--think-time", "500ms", "--report-interval", "1s" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        var error = process.StandardError.ReadToEndAsync();
        string Output()
        {
            lock (output)
            {
                return output.ToString();
            }
        }

        try
        {
            await Eventually.Until(() => Output().Contains("users 2/2, hub 2 up", StringComparison.Ordinal), TimeSpan.FromSeconds(30), Output);
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        process.ExitCode.ShouldBe(0, Output() + await error);
        Output().ShouldContain("Stopping early after");
        Output().ShouldContain("(stopped early)");
        Output().ShouldContain("Result: no targets given (exit code 0)");
    }
}
