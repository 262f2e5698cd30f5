// The live map with real processes: position-tracker, queue-consumer, api-gateway, position-simulator and the edge
// gateway (serving a copy of webapp/dist with tiles off), on the shared broker and Redis, in an isolated run.
// Prints:
//   1. push latency of the hub through the edge (WebSockets): N SignalR clients, the simulator's vehicles reporting
//      every second; for every position every client receives, receive time − the queue-consumer's write and − the
//      position's `time`;
//   2. GET /api/vehicles/ through the edge versus straight to the api-gateway, with wrk: N connections, then one
//      (skipped with --push-only);
//   3. time to the first paint of every vehicle in Chromium (Debian's, driven by Playwright), with the page's phases
//      (its performance marks), unless --no-browser or --push-only: a first visit (empty cache, no cookies) started
//      cold (a browser with an empty profile started per load) and warm (a fresh context of a browser already running);
//   4. resident memory per service, steady, before the clients connect;
//   5. with the simulator stopped: the first paint again, cold and warm (the page alone on the cores), then the list through the
//      edge against the same bytes as a static file: one and N connections, the 304 path, bytes on the wire (skipped
//      with --push-only).
// With --map instead: the live map in Chromium with 1,000 and then 10,000 vehicles in view (the simulator scaled
// through its control API, every vehicle reporting every 5 s): frames per second for `seconds`, the slowest frame, the
// JavaScript heap after a garbage collection. Nothing else runs then.
// With --list-only instead: only part 5's list against the static file (the simulator stopped once every vehicle is in),
// for comparing two builds of the edge or of the list, run alternately.
// With --paint-only instead: only the first paint (parts 3 and 5's first paint), `loads` cold and `loads` warm loads each
// with the simulator running and then stopped; for comparing two builds of the webapp, run alternately.
// Usage: Fleetman.Benchmarks.Live [clients, default 500] [vehicles, default 1000] [seconds, default 20] [--no-browser]
//        [--push-only] [--push-interval=MS (the api-gateway's Hub__PushIntervalMilliseconds; default: its own)]
//        [--timed-clients=N (how many of the clients time every position; default all, the others count theirs)]
//        [--api-env=NAME=VALUE (repeatable: an environment variable of the api-gateway alone, e.g. a DOTNET_ runtime
//        setting, to compare one process's setting in alternate runs without another build)]
//        Fleetman.Benchmarks.Live --map [seconds, default 10]
//        Fleetman.Benchmarks.Live --paint-only [loads, default 5]
//        Fleetman.Benchmarks.Live --list-only [connections, default 500] [vehicles, default 1000] [seconds, default 20]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Fleetman.Benchmarks;
using Fleetman.Benchmarks.Live;
using Fleetman.Testing;

var numbers = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
var clients = numbers.Length > 0 ? numbers[0] : 500;
var vehicles = numbers.Length > 1 ? numbers[1] : 1000;
var seconds = numbers.Length > 2 ? numbers[2] : 20;
var pushOnly = args.Contains("--push-only");
var browser = !args.Contains("--no-browser") && !pushOnly && !args.Contains("--list-only");
var pushInterval = args.FirstOrDefault(a => a.StartsWith("--push-interval=", StringComparison.Ordinal))?["--push-interval=".Length..];
// Every client times every position unless fewer are asked for (the rest then only count theirs: see PushRecorder);
// fewer did not measure the push sooner on the loaded build machine (services/api-gateway/README.md).
var timedClients = int.Parse(args.FirstOrDefault(a => a.StartsWith("--timed-clients=", StringComparison.Ordinal))?["--timed-clients=".Length..] ?? clients.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
var apiEnvironment = args.Where(a => a.StartsWith("--api-env=", StringComparison.Ordinal))
    .Select(a => a["--api-env=".Length..].Split('=', 2))
    .Select(pair => pair.Length == 2 && pair[0].Length > 0 ? (Name: pair[0], Value: pair[1]) : throw new ArgumentException($"--api-env wants NAME=VALUE, not '{string.Join('=', pair)}'"))
    .ToArray();
var map = args.Contains("--map");
var paintOnly = args.Contains("--paint-only");
var listOnly = args.Contains("--list-only");
var paintLoads = 5;
int[] mapSizes = [1_000, 10_000];
const int MapReportIntervalMilliseconds = 5_000; // 2,000 reports a second at 10,000 vehicles: what this machine's pipeline keeps up with
if (map)
{
    seconds = numbers.Length > 0 ? numbers[0] : 10;
    vehicles = mapSizes[0];
}

if (paintOnly)
{
    vehicles = 1_000;
    paintLoads = numbers.Length > 0 ? numbers[0] : paintLoads;
}

var adminPassword = Guid.NewGuid().ToString("N");
const int SteadySeconds = 20;
const int RateLimit = 100_000; // the gateway's maximum; ×10 s window: far above what one machine can send
var results = new BenchmarkResults("live");
results.Add("clients", clients, "clients");
results.Add("vehicles", vehicles, "vehicles");
results.Add("seconds", seconds, "s");
results.Add("cores", Environment.ProcessorCount, "cores");

Console.WriteLine(map || paintOnly
    ? $"Fleetman live map benchmark, {(map ? "the map" : "the first paint")} in Chromium: {Environment.ProcessorCount} cores; every process and Chromium on this machine, over loopback; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start"
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

    foreach (var (name, value) in apiEnvironment)
    {
        apiSettings[name] = value;
        Console.WriteLine($"api-gateway environment: {name}={value}");
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

    if (paintOnly)
    {
        LiveReport.FirstPaints(await FirstPaint.FirstPaintAsync(edge, vehicles, paintLoads), vehicles, idle: false, results);
        LiveReport.FirstPaints(await FirstPaint.FirstPaintAsync(edge, vehicles, paintLoads, warm: true), vehicles, idle: false, results, warm: true);
        await simulator.StopAsync();
        LiveReport.FirstPaints(await FirstPaint.FirstPaintAsync(edge, vehicles, paintLoads), vehicles, idle: true, results);
        LiveReport.FirstPaints(await FirstPaint.FirstPaintAsync(edge, vehicles, paintLoads, warm: true), vehicles, idle: true, results, warm: true);
        return;
    }

    if (listOnly)
    {
        await simulator.StopAsync();
        await ListVsStatic.RunAsync(edge, webRoot, clients, seconds, results);
        return;
    }

    // Steady state: every vehicle reporting every second for a while, no browser connected yet.
    await Task.Delay(TimeSpan.FromSeconds(SteadySeconds));
    Console.WriteLine();
    Console.WriteLine($"Resident memory per service after {SteadySeconds} s of {vehicles:N0} vehicles reporting every second, before any browser connects, each as its image runs it:");
    Console.WriteLine();
    Console.WriteLine("| service | as | resident | of which mapped runtime and framework files | the rest (heap, JIT code, stacks) |");
    Console.WriteLine("|---|---|---|---|---|");
    foreach (var (name, service) in new[] { ("edge", edge), ("api-gateway", api), ("position-tracker", tracker), ("queue-consumer", consumer), ("position-simulator", simulator) })
    {
        var (resident, files) = ProcessMemory.Read(service.ProcessId);
        Console.WriteLine($"| {name} | {ProcessMemory.Form(service)} | {resident:F0} MiB | {files:F0} MiB | {resident - files:F0} MiB |");
        results.Add($"trimmed_{name}", service.RunsItsLauncher ? 1 : 0, "yes/no");
        results.Add($"aot_{name}", service.IsNativeAot ? 1 : 0, "yes/no");
        results.Add($"memory_resident_mib_{name}", resident, "MiB");
        results.Add($"memory_mapped_files_mib_{name}", files, "MiB");
    }

    results.Add("memory_steady_seconds", SteadySeconds, "s");

    var push = await PushLatency.PushLatencyAsync(run, edge, api, clients, timedClients, seconds, results);
    LiveReport.Push(push, clients, vehicles, seconds, results);
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
    var warmPaints = browser ? await FirstPaint.FirstPaintAsync(edge, vehicles, runs: 3, warm: true) : null;
    LiveReport.Rest(direct, viaEdge, directSingle, viaEdgeSingle, singleRounds, clients, vehicles, seconds, RateLimit, results);
    LiveReport.FirstPaints(paints, vehicles, idle: false, results);
    LiveReport.FirstPaints(warmPaints, vehicles, idle: false, results, warm: true);

    // The list against a static file of its size: with the simulator stopped, so the list stays the same between requests.
    await simulator.StopAsync();
    // The same first paint with nothing else busy: what the page costs alone, against the row above on shared cores.
    LiveReport.FirstPaints(browser ? await FirstPaint.FirstPaintAsync(edge, vehicles, runs: 3) : null, vehicles, idle: true, results);
    LiveReport.FirstPaints(browser ? await FirstPaint.FirstPaintAsync(edge, vehicles, runs: 3, warm: true) : null, vehicles, idle: true, results, warm: true);
    await ListVsStatic.RunAsync(edge, webRoot, clients, seconds, results);
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
