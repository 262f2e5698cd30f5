// The live map with real processes: position-tracker, queue-consumer, api-gateway, position-simulator and the edge
// gateway (serving a copy of webapp/dist with tiles off), on the shared broker and Redis, in an isolated run.
// Prints:
//   1. push latency of the hub through the edge (WebSockets): N SignalR clients, the simulator's vehicles reporting
//      every second; for every position every client receives, receive time − the queue-consumer's write and − the
//      position's `time`;
//   2. GET /api/vehicles/ through the edge versus straight to the api-gateway, with wrk: N connections, then one
//      (skipped with --push-only);
//   3. time to the first paint of every vehicle in Chromium (Debian's, driven by Playwright), unless --no-browser or
//      --push-only;
//   4. resident memory per service, steady, before the clients connect;
//   5. with the simulator stopped, the list through the edge against the same bytes as a static file: one and N
//      connections, the 304 path, bytes on the wire (skipped with --push-only).
// With --map instead: the live map in Chromium with 1,000 and then 10,000 vehicles in view (the simulator scaled
// through its control API, every vehicle reporting every 5 s): frames per second for `seconds`, the slowest frame, the
// JavaScript heap after a garbage collection. Nothing else runs then.
// Usage: Fleetman.Benchmarks.Live [clients, default 500] [vehicles, default 1000] [seconds, default 20] [--no-browser]
//        [--push-only] [--push-interval=MS (the api-gateway's Hub__PushIntervalMilliseconds; default: its own)]
//        Fleetman.Benchmarks.Live --map [seconds, default 10]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Fleetman.Benchmarks;
using Fleetman.Benchmarks.Live;
using Fleetman.Messaging;
using Fleetman.Testing;
using Microsoft.Playwright;

var numbers = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
var clients = numbers.Length > 0 ? numbers[0] : 500;
var vehicles = numbers.Length > 1 ? numbers[1] : 1000;
var seconds = numbers.Length > 2 ? numbers[2] : 20;
var pushOnly = args.Contains("--push-only");
var browser = !args.Contains("--no-browser") && !pushOnly;
var pushInterval = args.FirstOrDefault(a => a.StartsWith("--push-interval=", StringComparison.Ordinal))?["--push-interval=".Length..];
var map = args.Contains("--map");
int[] mapSizes = [1_000, 10_000];
const int MapReportIntervalMilliseconds = 5_000; // 2,000 reports a second at 10,000 vehicles: what this machine's pipeline keeps up with
if (map)
{
    seconds = numbers.Length > 0 ? numbers[0] : 10;
    vehicles = mapSizes[0];
}

var adminPassword = Guid.NewGuid().ToString("N");
const int SteadySeconds = 20;
const int RateLimit = 100_000; // the gateway's maximum; ×10 s window: far above what one machine can send
var results = new BenchmarkResults("live");
results.Add("clients", clients, "clients");
results.Add("vehicles", vehicles, "vehicles");
results.Add("seconds", seconds, "s");
results.Add("cores", Environment.ProcessorCount, "cores");

Console.WriteLine(map
    ? $"Fleetman live map benchmark, the map in Chromium: {Environment.ProcessorCount} cores; every process and Chromium on this machine, over loopback; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start"
    : $"Fleetman live map benchmark: {Environment.ProcessorCount} cores; every process, wrk, the {clients} SignalR clients and Chromium on this machine, over loopback");
var webRoot = Directory.CreateTempSubdirectory("fleetman-bench-live-").FullName;
CopyFolder(Path.Combine(Repository.Root, "webapp", "dist"), webRoot);
await File.WriteAllTextAsync(Path.Combine(webRoot, "config.json"), """{"tileUrl": ""}""");

await using var run = await IsolatedRun.StartAsync();
ServiceProcess? edge = null;
try
{
    var tracker = await run.StartTrackerAsync();
    var consumer = await run.StartConsumerAsync();
    // Every simulated browser connects from this machine: one client to the hub's admission, whose caps are lifted.
    var apiSettings = new Dictionary<string, string?>
    {
        ["Hub__MaxConnectionsPerClient"] = "100000",
        ["Hub__NegotiateBurst"] = "100000",
        ["Hub__NegotiatePermitsPerSecond"] = "100000",
    };
    if (pushInterval is not null)
    {
        apiSettings["Hub__PushIntervalMilliseconds"] = pushInterval;
    }

    var api = await run.StartGatewayAsync(tracker, apiSettings);
    if (pushInterval is not null)
    {
        results.Add("hub_push_interval_ms", double.Parse(pushInterval, CultureInfo.InvariantCulture), "ms");
    }

    edge = await ServiceProcess.StartProjectAsync("gateway", "Fleetman.Gateway", run.Environment(new Dictionary<string, string?>
    {
        ["ReverseProxy__Clusters__api-gateway__Destinations__d1__Address"] = api.Http.BaseAddress!.ToString(),
        ["Webapp__Root"] = webRoot,
        ["Gateway__ApiRateLimit__PermitsPerSecond"] = RateLimit.ToString(CultureInfo.InvariantCulture),
    }));
    var simulator = await run.StartSimulatorAsync(new Dictionary<string, string?>
    {
        ["Simulator__Vehicles"] = vehicles.ToString(CultureInfo.InvariantCulture),
        ["Simulator__ReportIntervalMilliseconds"] = (map ? MapReportIntervalMilliseconds : 1000).ToString(CultureInfo.InvariantCulture),
        ["Simulator__TimeCompression"] = "1",
        ["Admin__Password"] = adminPassword,
    });
    await WaitForVehiclesAsync(edge, vehicles);
    if (map)
    {
        var frames = await MapFrames.RunAsync(edge, simulator, adminPassword, mapSizes, MapReportIntervalMilliseconds, seconds, WaitForVehiclesAsync);
        Console.WriteLine();
        Console.WriteLine($"The live map in Chromium ({FirstPaint.BrowserVersion()}, headless, software rendering, 1280×800, tiles off: the offline street map), through the edge, a fresh page per size once every marker is drawn and the hub is live;");
        Console.WriteLine($"every vehicle reporting every {MapReportIntervalMilliseconds / 1000} s and moving between reports. Frames: every animation frame counted for {seconds} s. Heap: the page's JavaScript heap in use after a forced garbage collection.");
        Console.WriteLine();
        Console.WriteLine("| vehicles | in view | frames/s | slowest frame | JS heap |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var frame in frames)
        {
            Console.WriteLine($"| {frame.Vehicles:N0} | {frame.InView:N0} | {frame.FramesPerSecond:F1} | {frame.SlowestFrameMs:F0} ms | {frame.HeapMiB:F1} MiB |");
            results.Add($"map_vehicles_in_view_{frame.Vehicles}", frame.InView, "vehicles");
            results.Add($"map_frames_per_second_{frame.Vehicles}", frame.FramesPerSecond, "frames/s", decimals: 1);
            results.Add($"map_slowest_frame_ms_{frame.Vehicles}", frame.SlowestFrameMs, "ms");
            results.Add($"map_js_heap_mib_{frame.Vehicles}", frame.HeapMiB, "MiB", decimals: 1);
        }

        return;
    }

    // Steady state: every vehicle reporting every second for a while, no browser connected yet.
    await Task.Delay(TimeSpan.FromSeconds(SteadySeconds));
    Console.WriteLine();
    Console.WriteLine($"Resident memory per service after {SteadySeconds} s of {vehicles:N0} vehicles reporting every second, before any browser connects:");
    Console.WriteLine();
    Console.WriteLine("| service | resident | of which mapped runtime and framework files | the rest (heap, JIT code, stacks) |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var (name, service) in new[] { ("edge", edge), ("api-gateway", api), ("position-tracker", tracker), ("queue-consumer", consumer), ("position-simulator", simulator) })
    {
        var (resident, files) = ProcessMemory.Read(service.ProcessId);
        Console.WriteLine($"| {name} | {resident:F0} MiB | {files:F0} MiB | {resident - files:F0} MiB |");
        results.Add($"memory_resident_mib_{name}", resident, "MiB");
        results.Add($"memory_mapped_files_mib_{name}", files, "MiB");
    }

    results.Add("memory_steady_seconds", SteadySeconds, "s");

    var push = await PushLatency.PushLatencyAsync(run, edge, api, clients, seconds, results);
    var lag = push.Lag;
    Console.WriteLine();
    Console.WriteLine($"Push latency: {clients} SignalR clients (JSON protocol, WebSockets) through the edge gateway, {vehicles:N0} simulated vehicles reporting every second (time compression 1), measured for {seconds} s after all clients connected.");
    Console.WriteLine("Each client stamps a frame when its last byte arrives, then times every position in it: from the queue-consumer's write (the storedAt of the vehicle-updates");
    Console.WriteLine("notification that carried it, heard on the same topic) and from the simulator's send (the position's `time`; adds the broker and the consumer's batching and store).");
    Console.WriteLine();
    Console.WriteLine("| clients | positions received | positions/s (all clients) | frames/s (all clients) | write→client p50 | write→client p99 | write→client max | send→client p50 | send→client p99 | goal |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
    Console.WriteLine($"| {clients} | {push.Positions:N0} | {push.Positions / push.Seconds:N0} | {push.Frames / push.Seconds:N0} | {push.WrittenP50.Text} ms | {push.WrittenP99.Text} ms | {push.WrittenMax:F0} ms | {push.P50.Text} ms | {push.P99.Text} ms | write→client p99 < 250 ms |");
    Console.WriteLine($"The hub's own part, from its `hub_push_lag` histogram (queue-consumer stored the oldest update of a frame → frame written, per frame, {lag.Count:N0} frames in the same window): mean {lag.Mean:F0} ms, p50 ≤ {LagHistogram.Bound(lag.Quantile(0.5))} ms, p99 ≤ {LagHistogram.Bound(lag.Quantile(0.99))} ms (bucket bounds).");
    Console.WriteLine($"CPU while measuring, in cores: api-gateway {push.ApiCores:F2}, edge {push.EdgeCores:F2}, the {clients} clients {push.ClientCores:F2} (of {Environment.ProcessorCount}).");
    Console.WriteLine($"(1 ms buckets; {push.Snapshots} of {clients} clients got their snapshot, {push.Disconnected} disconnected during the run, {push.Negative} samples below 0 ms counted as 0, {push.Unmatched} positions whose write was never heard on the topic.)");
    results.Add("push_positions_received", push.Positions, "positions");
    results.Add("push_positions_per_second", push.Positions / push.Seconds, "positions/s");
    results.Add("push_frames_per_second", push.Frames / push.Seconds, "frames/s");
    results.Add("push_p50_ms", push.P50.Milliseconds, "ms");
    results.Add("push_p99_ms", push.P99.Milliseconds, "ms");
    results.Add("push_write_p50_ms", push.WrittenP50.Milliseconds, "ms");
    results.Add("push_write_p99_ms", push.WrittenP99.Milliseconds, "ms");
    results.Add("push_write_max_ms", push.WrittenMax, "ms");
    results.Add("push_write_unmatched", push.Unmatched, "positions");
    results.Add("hub_push_lag_frames", lag.Count, "frames");
    results.Add("hub_push_lag_mean_ms", lag.Mean, "ms");
    results.Add("hub_push_lag_p50_ms_bound", lag.Quantile(0.5), "ms", decimals: 2);
    results.Add("hub_push_lag_p99_ms_bound", lag.Quantile(0.99), "ms", decimals: 2);
    results.Add("push_clients_with_snapshot", push.Snapshots, "clients");
    results.Add("push_clients_disconnected", push.Disconnected, "clients");
    results.Add("push_samples_below_zero", push.Negative, "samples");
    results.Add("push_api_gateway_cores", push.ApiCores, "cores", decimals: 2);
    results.Add("push_edge_cores", push.EdgeCores, "cores", decimals: 2);
    results.Add("push_clients_cores", push.ClientCores, "cores", decimals: 2);
    if (pushOnly)
    {
        return;
    }

    var direct = await Wrk.WrkAsync(api, clients, seconds);
    var viaEdge = await Wrk.WrkAsync(edge, clients, seconds);
    // One connection, one request at a time: what the edge adds to a request when nothing queues.
    // One connection: rounds that alternate the two paths (direct, edge, edge, direct, ...), so a slower moment of the
    // busy machine does not land on one path only; each figure is the median over the rounds.
    var (directSingle, viaEdgeSingle, singleRounds) = await Wrk.AlternatingWrkAsync(api, edge, seconds);
    var paints = browser ? await FirstPaint.FirstPaintAsync(edge, vehicles, runs: 3) : null;


    Console.WriteLine();
    Console.WriteLine($"REST: `GET /api/vehicles/` ({vehicles:N0} vehicles in each answer), wrk -t2 -c{clients} -d{seconds}s --latency after a 5 s warm-up, the simulator still publishing, no hub clients.");
    Console.WriteLine($"The edge's API rate limit was raised for this run: Gateway__ApiRateLimit__PermitsPerSecond={RateLimit} (default 20).");
    results.Add("edge_api_rate_limit", RateLimit, "permits/s");
    Console.WriteLine();
    Console.WriteLine("| path | requests/s | p50 | p99 | non-2xx | errors |");
    Console.WriteLine("|---|---|---|---|---|---|");
    Console.WriteLine($"| straight to api-gateway | {direct.Rate:N0} | {direct.P50:F2} ms | {direct.P99:F2} ms | {direct.Non2xx} | {direct.Errors} |");
    Console.WriteLine($"| through the edge gateway | {viaEdge.Rate:N0} | {viaEdge.P50:F2} ms | {viaEdge.P99:F2} ms | {viaEdge.Non2xx} | {viaEdge.Errors} |");
    Console.WriteLine($"| edge − direct | {viaEdge.Rate - direct.Rate:N0} | {viaEdge.P50 - direct.P50:+0.00;-0.00} ms | {viaEdge.P99 - direct.P99:+0.00;-0.00} ms | | |");
    RecordRest("rest_n_connections", direct, viaEdge);
    Console.WriteLine();
    Console.WriteLine($"The same with one connection: what the edge adds to one request when nothing waits in a queue. {singleRounds.Count} rounds of wrk -t1 -c1 -d{singleRounds[0].Seconds}s --latency per path, alternating the order; medians over the rounds (the edge − direct row: the median of each round's difference).");
    Console.WriteLine();
    Console.WriteLine("| path | requests/s | p50 | p99 | non-2xx | errors |");
    Console.WriteLine("|---|---|---|---|---|---|");
    Console.WriteLine($"| straight to api-gateway | {directSingle.Rate:N0} | {directSingle.P50:F2} ms | {directSingle.P99:F2} ms | {directSingle.Non2xx} | {directSingle.Errors} |");
    Console.WriteLine($"| through the edge gateway | {viaEdgeSingle.Rate:N0} | {viaEdgeSingle.P50:F2} ms | {viaEdgeSingle.P99:F2} ms | {viaEdgeSingle.Non2xx} | {viaEdgeSingle.Errors} |");
    var singleP50 = Wrk.Median(singleRounds.Select(round => round.Edge.P50 - round.Direct.P50));
    var singleP99 = Wrk.Median(singleRounds.Select(round => round.Edge.P99 - round.Direct.P99));
    Console.WriteLine($"| edge − direct | {Wrk.Median(singleRounds.Select(round => round.Edge.Rate - round.Direct.Rate)):N0} | {singleP50:+0.00;-0.00} ms | {singleP99:+0.00;-0.00} ms | | |");
    Console.WriteLine($"Each round's p50 difference: {string.Join(", ", singleRounds.Select(round => (round.Edge.P50 - round.Direct.P50).ToString("+0.00;-0.00", CultureInfo.InvariantCulture)))} ms.");
    RecordRest("rest_1_connection", directSingle, viaEdgeSingle);
    // The per-round medians replace the difference of the two medians (they are what the goal is judged on).
    results.Add("rest_1_connection_rounds", singleRounds.Count, "rounds");
    results.Add("rest_1_connection_edge_minus_direct_p50_ms_median_of_rounds", singleP50, "ms", decimals: 2);
    Console.WriteLine("Goal: the edge adds at most 1 ms at p50.");

    if (paints is not null)
    {
        Console.WriteLine();
        Console.WriteLine($"First paint in Chromium ({FirstPaint.BrowserVersion()}, headless, tiles off): from navigation start (performance.timeOrigin) to `window.fleetman.vehicleCount() >= {vehicles}`, checked every animation frame; a fresh profile per load, through the edge.");
        Console.WriteLine();
        Console.WriteLine("| load | first paint of all vehicles |");
        Console.WriteLine("|---|---|");
        for (var i = 0; i < paints.Count; i++)
        {
            Console.WriteLine($"| {i + 1} | {paints[i]:N0} ms |");
            results.Add($"first_paint_ms_load{i + 1}", paints[i], "ms");
        }

        Console.WriteLine($"| median | {paints.Order().ElementAt(paints.Count / 2):N0} ms |");
        results.Add("first_paint_median_ms", paints.Order().ElementAt(paints.Count / 2), "ms");
    }
    else
    {
        Console.WriteLine();
        Console.WriteLine("First paint in Chromium: skipped (--no-browser).");
    }

    // The list against a static file of its size: with the simulator stopped, so the list stays the same between requests.
    await simulator.StopAsync();
    await ListVsStatic.RunAsync(edge, webRoot, clients, seconds, results);

    // Both paths of one wrk comparison and the edge − direct row, as the tables above print them.
    void RecordRest(string prefix, WrkResult straight, WrkResult throughEdge)
    {
        foreach (var (path, result) in new[] { ("direct", straight), ("edge", throughEdge) })
        {
            results.Add($"{prefix}_{path}_requests_per_second", result.Rate, "req/s");
            results.Add($"{prefix}_{path}_p50_ms", result.P50, "ms", decimals: 2);
            results.Add($"{prefix}_{path}_p99_ms", result.P99, "ms", decimals: 2);
            results.Add($"{prefix}_{path}_non2xx", result.Non2xxCount, "responses");
            results.Add($"{prefix}_{path}_socket_errors", result.SocketErrorCount, "errors");
        }

        results.Add($"{prefix}_edge_minus_direct_requests_per_second", throughEdge.Rate - straight.Rate, "req/s");
        results.Add($"{prefix}_edge_minus_direct_p50_ms", throughEdge.P50 - straight.P50, "ms", decimals: 2);
        results.Add($"{prefix}_edge_minus_direct_p99_ms", throughEdge.P99 - straight.P99, "ms", decimals: 2);
    }
}
finally
{
    if (edge is not null)
    {
        await edge.DisposeAsync();
    }

    // `run` stops the other services when it is disposed.
    try
    {
        Directory.Delete(webRoot, recursive: true);
    }
    catch (IOException)
    {
        // left for the OS's temp cleanup
    }
}

static async Task WaitForVehiclesAsync(ServiceProcess edge, int vehicles)
{
    var clock = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            var list = await edge.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/vehicles/", UriKind.Relative));
            if (list.ValueKind == JsonValueKind.Array && list.GetArrayLength() >= vehicles)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
            // the tracker or the edge not answering yet
        }

        if (clock.Elapsed > TimeSpan.FromSeconds(120))
        {
            throw new TimeoutException($"fewer than {vehicles} vehicles known after 120 s");
        }

        await Task.Delay(250);
    }
}

static void CopyFolder(string from, string to)
{
    foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
    {
        var target = Path.Combine(to, Path.GetRelativePath(from, file));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(file, target);
    }
}
