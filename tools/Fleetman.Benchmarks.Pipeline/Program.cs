// The position pipeline with real processes (queue-consumer, position-tracker, position-simulator), the real broker and
// Redis, SQLite on disk. Prints: time to ready and resident memory per service; sustained positions per second from
// publish to stored with 1,000 and 10,000 vehicles, with the CPU time the queue-consumer and the broker spent per
// position; publish→stored latency percentiles at 1,000 positions per second.
// Usage: Fleetman.Benchmarks.Pipeline [positions per throughput run, default 60000] [seconds of the latency run, default 20]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Fleetman.Benchmarks;
using Fleetman.Contracts;
using Fleetman.Messaging;
using Fleetman.PositionStore;
using Fleetman.Testing;

var positions = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60_000;
var latencySeconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var results = new BenchmarkResults("pipeline");
results.Add("positions_per_run", positions, "positions");
results.Add("latency_run_seconds", latencySeconds, "s");
var broker = BrokerInstance.Shared();
var environment = await broker.ServiceEnvironmentAsync();
var run = Guid.NewGuid().ToString("N")[..8];
var folder = Directory.CreateTempSubdirectory("fleetman-bench-").FullName;
var database = Path.Combine(folder, "positions.db");
// Every queue and topic of the topology gets the run's own name, so nothing of a Fleetman running beside it (or of an
// earlier run) reaches this one, whatever destinations the topology gains.
var destinations = MessageTopology.Default.DestinationNames.ToDictionary(route => route.Key, route => $"bench.{route.Value}.{run}");
foreach (var (message, destination) in destinations)
{
    environment[$"Messaging__Destinations__{message}"] = destination;
}

var queue = destinations[nameof(PositionReported)];
var topic = destinations[nameof(VehiclePositionsUpdated)];
foreach (var (key, value) in new Dictionary<string, string?>
{
    ["LatestPositions__KeyPrefix"] = $"bench:{run}",
    ["Store__SqlitePath"] = database,
    ["Simulator__Vehicles"] = "1000",
    ["Admin__Password"] = "benchmark admin password", // the control routes ask for the admin's credentials
    ["Simulator__AutoStart"] = "false", // started after the throughput and latency runs, so it does not compete with them
    ["Logging__LogLevel__Default"] = "Warning",
})
{
    environment[key] = value;
}

Console.WriteLine($"Fleetman pipeline benchmark: {Environment.ProcessorCount} cores, SQLite store, ActiveMQ and Redis on loopback");
var simulatorQueue = $"bench.simulator.{run}";
await using var client = await broker.ConnectAsync();
var store = new SqlitePositionStore(database);
var services = new List<(ServiceProcess Service, TimeSpan Ready)>();
try
{
    foreach (var (folderName, assembly) in new[] { ("position-tracker", "Fleetman.PositionTracker"), ("queue-consumer", "Fleetman.QueueConsumer"), ("position-simulator", "Fleetman.PositionSimulator") })
    {
        var clock = Stopwatch.StartNew();
        // The simulator reports to a queue of its own, so its load does not mix with the measured positions.
        var settings = assembly == "Fleetman.PositionSimulator"
            ? new Dictionary<string, string?>(environment) { ["Messaging__Destinations__PositionReported"] = simulatorQueue }
            : environment;
        var service = await ServiceProcess.StartAsync(folderName, assembly, settings);
        services.Add((service, clock.Elapsed));
    }

    await ThroughputAsync(500, 10_000); // warm-up, not reported: JIT, connections, broker and SQLite caches
    var throughput = new List<(int Vehicles, double Rate, double Consumer, double Broker)>();
    foreach (var vehicles in new[] { 1_000, 10_000 })
    {
        var (consumerBefore, brokerBefore) = (ProcessCpu.Seconds(services[1].Service.ProcessId), ProcessCpu.Seconds(BrokerProcessId()));
        var rate = await ThroughputAsync(vehicles, positions);
        throughput.Add((
            vehicles,
            rate,
            (ProcessCpu.Seconds(services[1].Service.ProcessId) - consumerBefore) / positions * 1e6,
            (ProcessCpu.Seconds(BrokerProcessId()) - brokerBefore) / positions * 1e6));
    }

    var latencies = await LatencyAsync(vehicles: 1_000, seconds: latencySeconds);

    // The simulator's own load: 1,000 vehicles reporting every second for 10 s (to its own queue), before memory is read.
    var simulator = services[2].Service;
    using (var start = new HttpRequestMessage(HttpMethod.Post, "/simulator/start"))
    {
        start.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("admin:benchmark admin password")));
        (await simulator.Http.SendAsync(start)).EnsureSuccessStatusCode();
    }
    await Task.Delay(10_000);

    Console.WriteLine();
    Console.WriteLine("| service | as | ready after start | resident memory after the runs | of which runtime and framework files mapped |");
    Console.WriteLine("|---|---|---|---|---|");
    foreach (var (service, ready) in services)
    {
        var (resident, files) = ProcessMemory.Read(service.ProcessId);
        Console.WriteLine($"| {service.Name} | {ProcessMemory.Form(service)} | {ready.TotalSeconds:F2} s | {resident:F0} MiB | {files:F0} MiB |");
        results.Add($"trimmed_{service.Name}", service.RunsItsLauncher ? 1 : 0, "yes/no");
        results.Add($"aot_{service.Name}", service.IsNativeAot ? 1 : 0, "yes/no");
        results.Add($"ready_seconds_{service.Name}", ready.TotalSeconds, "s", decimals: 2);
        results.Add($"memory_resident_mib_{service.Name}", resident, "MiB");
        results.Add($"memory_mapped_files_mib_{service.Name}", files, "MiB");
    }

    Console.WriteLine();
    Console.WriteLine("| load | result |");
    Console.WriteLine("|---|---|");
    foreach (var (vehicles, rate, consumer, brokerCpu) in throughput)
    {
        Console.WriteLine($"| {positions:N0} positions from {vehicles:N0} vehicles, published as fast as possible | {rate:N0} positions/s publish→stored; CPU per position: queue-consumer {consumer:F0} µs, broker {brokerCpu:F0} µs |");
        results.Add($"positions_per_second_{vehicles / 1_000}k_vehicles", rate, "positions/s");
        results.Add($"consumer_cpu_us_per_position_{vehicles / 1_000}k_vehicles", consumer, "µs");
        results.Add($"broker_cpu_us_per_position_{vehicles / 1_000}k_vehicles", brokerCpu, "µs");
    }

    Console.WriteLine($"| 1,000 positions/s (1,000 vehicles, 1 report/s each) for {latencySeconds} s | publish→stored p50 {Percentile(latencies, 50):F0} ms, p99 {Percentile(latencies, 99):F0} ms, max {latencies.Max():F0} ms ({latencies.Count:N0} samples) |");
    results.Add("latency_p50_ms_1k_per_second", Percentile(latencies, 50), "ms");
    results.Add("latency_p99_ms_1k_per_second", Percentile(latencies, 99), "ms");
    results.Add("latency_max_ms_1k_per_second", latencies.Max(), "ms");
    results.Add("latency_samples_1k_per_second", latencies.Count, "samples");

}
finally
{
    // Whatever happened: a run that failed half-way must not leave its services running beside the next one.
    foreach (var (service, _) in services)
    {
        await service.DisposeAsync();
    }

    // The run's queues are its own and nothing reads them after it: what is left on them (the simulator's reports,
    // which nothing here consumes, and a failed run's backlog) is taken off. Left there, every persistent message keeps
    // its journal file in the broker's store, and repeated runs filled it to its limit until the broker stalled.
    await DrainAsync(simulatorQueue);
    await DrainAsync(queue);
    Directory.Delete(folder, recursive: true);
}

async Task<double> ThroughputAsync(int vehicles, int count)
{
    var before = await store.CountAsync(null, default);
    var start = DateTimeOffset.UtcNow.AddDays(-1).AddSeconds(vehicles); // distinct times per run, all in the past
    var clock = Stopwatch.StartNew();
    var sending = Task.Run(async () =>
    {
        var reports = Enumerable.Range(0, count).Select(i =>
            new PositionReported($"Bench {vehicles} {i % vehicles:D5}", 53.38 + ((i / vehicles) * 1e-4), -1.47 + ((i % vehicles) * 1e-5), start.AddMilliseconds(i / vehicles * 1000)));
        foreach (var chunk in reports.Chunk(5_000))
        {
            await client.PublishAllAsync(queue, chunk);
        }
    });
    while (await store.CountAsync(null, default) < before + count)
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(5))
        {
            throw new TimeoutException($"only {await store.CountAsync(null, default) - before} of {count} stored after 5 minutes");
        }

        await Task.Delay(50);
    }

    await sending;
    return count / clock.Elapsed.TotalSeconds;
}

async Task<List<double>> LatencyAsync(int vehicles, int seconds)
{
    var samples = new ConcurrentBag<double>();
    await using var listener = client.Listen<VehiclePositionsUpdated>(topic, topic: true, (update, _) =>
    {
        foreach (var position in update.Positions.Where(p => p.Vehicle.StartsWith("Latency", StringComparison.Ordinal)))
        {
            samples.Add((update.StoredAt - position.Time).TotalMilliseconds);
        }
    });
    await Task.Delay(500);

    // Every 20 ms, the 20 vehicles due: 1,000 reports a second, spread evenly, each stamped when it is sent.
    using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
    var sends = new List<Task>();
    for (var tick = 0; tick < seconds * 50 && await timer.WaitForNextTickAsync(); tick++)
    {
        var now = DateTimeOffset.UtcNow;
        for (var v = tick % 50 * (vehicles / 50); v < ((tick % 50) + 1) * (vehicles / 50); v++)
        {
            sends.Add(client.PublishAsync(queue, new PositionReported($"Latency {v:D4}", 53.38, -1.47 + (v * 1e-5), now)));
        }
    }

    await Task.WhenAll(sends);
    await Task.Delay(1_000);
    return [.. samples];
}

// Takes every message off a queue, until none has come for 2 s (a backlog is dispatched far faster than that).
async Task DrainAsync(string name)
{
    var taken = 0;
    await using (client.Listen<PositionReported>(name, topic: false, (_, _) => Interlocked.Increment(ref taken)))
    {
        var seen = -1;
        while (seen != Volatile.Read(ref taken))
        {
            seen = Volatile.Read(ref taken);
            await Task.Delay(2_000);
        }
    }

    if (taken > 0)
    {
        Console.WriteLine($"({taken:N0} message(s) left on {name} taken off the broker)");
    }
}

// The local broker's process (scripts/infra.sh's pid file, in FLEETMAN_STATE_DIR or the repository's .fleetman), or
// null for a broker started elsewhere: its CPU is then not reported (NaN).
static int? BrokerProcessId()
{
    var state = Environment.GetEnvironmentVariable("FLEETMAN_STATE_DIR") is { Length: > 0 } dir ? dir : Path.Combine(Repository.Root, ".fleetman", "infra");
    var file = Path.Combine(state, "activemq", "activemq.pid");
    return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out var pid) ? pid : null;
}

static double Percentile(List<double> values, double percentile)
{
    var sorted = values.Order().ToList();
    return sorted[(int)Math.Clamp(Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

