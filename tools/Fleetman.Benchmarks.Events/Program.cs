// Fleet event derivation, what it costs per 1,000 positions: the pure derivation (FleetEventDeriver) and the
// queue-consumer's store work per batch with it (read the vehicles' latest positions and event states, store the
// positions, the events and the states) on a SQLite file, in three transactions and in one as the handler does it. 1,000 vehicles report once a second for a minute, their
// speeds crossing the limit and their routes crossing ten geofences; batches of 250 as the queue-consumer takes them.
using System.Diagnostics;
using System.Globalization;
using Fleetman.Benchmarks;
using Fleetman.Contracts;
using Fleetman.PositionStore;
using Fleetman.QueueConsumer.Events;

const int Vehicles = 1_000;
const int ReportsEach = 60;
const int BatchSize = 250;
var start = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
var options = new FleetEventOptions();
// Ten squares of about 500 m along the vehicles' way north.
IReadOnlyList<Geofence> geofences = [.. Enumerable.Range(0, 10).Select(i =>
{
    var south = 53.30 + (i * 0.01);
    return new Geofence($"Zone {i}", [[south, -1.60], [south, -1.40], [south + 0.0045, -1.40], [south + 0.0045, -1.60]]);
})];

// Interleaved like the queue: every vehicle's first report, then every vehicle's second, ...
var reports = new List<VehiclePosition>(Vehicles * ReportsEach);
var latitudes = Enumerable.Range(0, Vehicles).Select(v => 53.30 + (v % 100 * 0.0001)).ToArray();
for (var second = 0; second < ReportsEach; second++)
{
    for (var v = 0; v < Vehicles; v++)
    {
        // 30 to 70 km/h, changing every 10 s: overspeeds start and end, and some vehicles stand still a while.
        var kph = (v + (second / 10)) % 9 == 0 ? 0 : 30 + ((v * 7) + (second / 10 * 13)) % 41;
        latitudes[v] += kph / 3.6 / 111_260;
        reports.Add(new VehiclePosition($"Vehicle {v}", latitudes[v], -1.5 + (v % 10 * 0.001), start.AddSeconds(second), null, null));
    }
}

var batches = reports.Chunk(BatchSize).ToList();
var results = new BenchmarkResults("events");

Derive(); // warm-up
var (derived, derivation) = Derive();
var perThousand = derivation.TotalMilliseconds / reports.Count * 1_000;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"derivation: {reports.Count:N0} positions in {derivation.TotalMilliseconds:F0} ms, {derived:N0} events: {perThousand:F2} ms of one core per 1,000 positions (so {perThousand / 10:F2} % of a core at 1,000 positions/s)"));
results.Add("derivation per 1000 positions", perThousand, "ms", 2);

// The handler's store work per batch, on a fresh SQLite file each: read the vehicles' latest positions and event
// states, then write positions, events and states either as three transactions (the handler until 2026-12-07) or in
// one (AppendWithEventsAsync); each commit is synced to disk.
var (threeEvents, three) = await StoreAsync(oneTransaction: false);
var (oneEvents, one) = await StoreAsync(oneTransaction: true);
var threePerThousand = three.TotalMilliseconds / reports.Count * 1_000;
var onePerThousand = one.TotalMilliseconds / reports.Count * 1_000;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"with the SQLite store, positions, events and states in three transactions per batch: {reports.Count:N0} positions in {three.TotalMilliseconds:F0} ms, {threeEvents:N0} events stored: {threePerThousand:F1} ms per 1,000 positions (batches of {BatchSize})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"with the SQLite store, positions, events and states in one transaction per batch: {reports.Count:N0} positions in {one.TotalMilliseconds:F0} ms, {oneEvents:N0} events stored: {onePerThousand:F1} ms per 1,000 positions (batches of {BatchSize})"));
results.Add("store three transactions per 1000 positions", threePerThousand, "ms", 1);
results.Add("store one transaction per 1000 positions", onePerThousand, "ms", 1);

async Task<(int Events, TimeSpan Elapsed)> StoreAsync(bool oneTransaction)
{
    var folder = Directory.CreateTempSubdirectory("fleetman-bench-events-");
    try
    {
        using var store = new SqlitePositionStore(Path.Combine(folder.FullName, "positions.db"));
        await store.InitializeAsync(default);
        var watch = Stopwatch.StartNew();
        var stored = 0;
        foreach (var batch in batches)
        {
            var vehicles = batch.Select(p => p.Vehicle).Distinct(StringComparer.Ordinal).ToList();
            await store.GetLatestAsync(vehicles, default);
            var known = await store.GetEventStatesAsync(vehicles, default);
            var events = new List<FleetEvent>();
            var next = new List<FleetEventState>();
            foreach (var vehicle in batch.GroupBy(p => p.Vehicle, StringComparer.Ordinal))
            {
                var (e, state) = FleetEventDeriver.Derive(vehicle.Key, vehicle, known.GetValueOrDefault(vehicle.Key), options, geofences);
                events.AddRange(e);
                if (state is not null)
                {
                    next.Add(state);
                }
            }

            if (oneTransaction)
            {
                stored += (await store.AppendWithEventsAsync(batch, events, next, default)).EventsAdded.Count;
            }
            else
            {
                await store.AppendAsync(batch, default);
                stored += (await store.AddEventsAsync(events, default)).Count;
                await store.SaveEventStatesAsync(next, default);
            }
        }

        return (stored, watch.Elapsed);
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        folder.Delete(recursive: true);
    }
}

(int Events, TimeSpan Elapsed) Derive()
{
    var states = new Dictionary<string, FleetEventState>(StringComparer.Ordinal);
    var count = 0;
    var watch = Stopwatch.StartNew();
    foreach (var batch in batches)
    {
        foreach (var vehicle in batch.GroupBy(p => p.Vehicle, StringComparer.Ordinal))
        {
            var (events, state) = FleetEventDeriver.Derive(vehicle.Key, vehicle, states.GetValueOrDefault(vehicle.Key), options, geofences);
            count += events.Count;
            if (state is not null)
            {
                states[vehicle.Key] = state;
            }
        }
    }

    return (count, watch.Elapsed);
}
