using Fleetman.PositionStore;

namespace Fleetman.Pipeline.Tests.System;

/// <summary>The whole pipeline with real processes: simulator → ActiveMQ → queue-consumer → SQLite + Redis → position-tracker.</summary>
public sealed class PipelineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private sealed record Vehicle(string Name, double Lat, double Longitude, DateTimeOffset Timestamp, double? Speed);

    private sealed record HistoryPoint(double Lat, double Lng, DateTimeOffset Time, double? Speed, double? Heading);

    [Fact]
    public async Task The_38_reference_tracks_replayed_reach_the_tracker_with_plausible_speeds_and_growing_histories()
    {
        var tracks = Path.GetFullPath(Path.Combine(Repository.Root, "..", "shared", "reference-tracks"));
        Directory.Exists(tracks).ShouldBeTrue($"the reference tracks are at {tracks}");
        await using var run = await IsolatedRun.StartAsync();
        await using var tracker = await run.StartTrackerAsync();
        await using var consumer = await run.StartConsumerAsync();
        await using var simulator = await run.StartSimulatorAsync(new Dictionary<string, string?>
        {
            ["Simulator__Source"] = "Tracks",
            ["Simulator__TracksPath"] = tracks,
            ["Simulator__ReportIntervalMilliseconds"] = "500",
        });

        Vehicle[] vehicles = [];
        await Eventually.Until(() =>
        {
            vehicles = tracker.GetJsonAsync<Vehicle[]>("/vehicles/").GetAwaiter().GetResult();
            // Vehicles start from rest: wait until most are under way.
            return vehicles.Length == 38 && vehicles.All(v => v.Speed is not null) && vehicles.Count(v => v.Speed > 5) > 19;
        }, Patience, () => $"{vehicles.Length} vehicles, {vehicles.Count(v => v.Speed is not null)} with a speed, {vehicles.Count(v => v.Speed > 5)} above 5 mph; consumer log:\n{consumer.Tail()}");

        vehicles.Select(v => v.Name).ShouldContain("City Truck");
        vehicles.ShouldAllBe(v => v.Speed <= 80, "no vehicle drives faster than 80 mph");
        var before = (await tracker.GetJsonAsync<HistoryPoint[]>("/vehicles/City%20Truck/history")).Length;
        await Eventually.Until(
            () => tracker.GetJsonAsync<HistoryPoint[]>("/vehicles/City%20Truck/history").GetAwaiter().GetResult().Length > before + 2,
            Patience, () => "City Truck's history did not grow");
        var history = await tracker.GetJsonAsync<HistoryPoint[]>("/vehicles/City%20Truck/history");
        history.Select(p => p.Time).ShouldBeInOrder(SortDirection.Ascending);
    }

    [Fact]
    public async Task A_queue_consumer_killed_mid_stream_and_restarted_loses_nothing_and_stores_every_report_exactly_once()
    {
        const int vehicles = 100, reportsEach = 50, total = vehicles * reportsEach;
        await using var run = await IsolatedRun.StartAsync();
        await using var steady = await run.StartConsumerAsync();
        await using var victim = await run.StartConsumerAsync();
        await using var client = await run.Broker.ConnectAsync();
        var start = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds()); // the store keeps milliseconds
        var published = 0;

        var publishing = Task.Run(async () =>
        {
            for (var round = 0; round < reportsEach; round++)
            {
                await client.PublishAllAsync(run.Queue, Enumerable.Range(0, vehicles).Select(v =>
                    new PositionReported($"Van {v:D3}", 53.38 + (round * 1e-4), -1.47 + (v * 1e-3), start.AddSeconds(round))));
                Interlocked.Add(ref published, vehicles);
                await Task.Delay(40); // ~2,500 reports/s: the kill lands mid-stream
            }
        });

        await Eventually.Until(() => Volatile.Read(ref published) >= total / 3, Patience, () => $"{published} published");
        await victim.KillAsync();
        await Task.Delay(500);
        await victim.StartAsync(TimeSpan.FromSeconds(30));
        await publishing.WaitAsync(Patience);

        var store = new SqlitePositionStore(run.DatabasePath);
        await Eventually.Until(() => store.CountAsync(null, default).GetAwaiter().GetResult() >= total, Patience,
            () => $"{store.CountAsync(null, default).GetAwaiter().GetResult()} of {total} stored");
        (await store.CountAsync(null, default)).ShouldBe(total, "every report stored once, none twice");
        var history = await store.GetHistoryAsync("Van 042", null, null, 1_000, default);
        history.Select(p => p.Time).ShouldBe(Enumerable.Range(0, reportsEach).Select(s => start.AddSeconds(s)));
    }

    [Fact]
    public async Task Poison_messages_of_every_kind_land_in_the_dead_letter_queue_while_good_reports_keep_flowing()
    {
        await using var run = await IsolatedRun.StartAsync();
        await using var consumer = await run.StartConsumerAsync();
        await using var client = await run.Broker.ConnectAsync();
        var dead = client.DeadLetters(run.Queue);
        var updates = new ConcurrentQueue<VehiclePositionsUpdated>();
        client.Listen<VehiclePositionsUpdated>(run.Topic, topic: true, (update, _) => updates.Enqueue(update));
        var now = DateTimeOffset.UtcNow;
        string[] poison =
        [
            "this is not json",
            "",
            "null",
            """{"vehicle":"Van","lat":53.1}""",
            """{"vehicle":"Van","lat":95.0,"long":-1.4,"time":"2026-11-22T12:00:00Z"}""",
            """{"vehicle":"Van","lat":53.1,"long":-181,"time":"2026-11-22T12:00:00Z"}""",
            $$"""{"vehicle":"{{new string('V', 500)}}","lat":53.1,"long":-1.4,"time":"2026-11-22T12:00:00Z"}""",
            """{"vehicle":"","lat":53.1,"long":-1.4,"time":"2026-11-22T12:00:00Z"}""",
            """{"vehicle":"Van","lat":53.1,"long":-1.4,"time":"yesterday"}""",
        ];
        for (var i = 0; i < 10; i++)
        {
            await client.PublishAsync(run.Queue, new PositionReported("Good Van", 53.38 + (i * 1e-4), -1.47, now.AddSeconds(i)));
        }

        foreach (var body in poison)
        {
            await client.SendRawAsync(run.Queue, body);
        }

        for (var i = 10; i < 20; i++)
        {
            await client.PublishAsync(run.Queue, new PositionReported("Good Van", 53.38 + (i * 1e-4), -1.47, now.AddSeconds(i)));
        }

        var store = new SqlitePositionStore(run.DatabasePath);
        await Eventually.Until(() => dead.Count == poison.Length && store.CountAsync("Good Van", default).GetAwaiter().GetResult() == 20, Patience,
            () => $"{dead.Count} of {poison.Length} dead-lettered, {store.CountAsync("Good Van", default).GetAwaiter().GetResult()} of 20 stored");
        dead.ShouldBe(poison, ignoreOrder: true);
        await Eventually.Until(() => updates.Any(u => u.Positions.Any(p => p.Time == now.AddSeconds(19))), Patience, () => "no update for the last report");
        updates.SelectMany(u => u.Positions).ShouldAllBe(p => p.Vehicle == "Good Van");
        (await consumer.Http.GetAsync(new Uri("/healthz/ready", UriKind.Relative))).IsSuccessStatusCode.ShouldBeTrue("the consumer is still serving");
        var metrics = await consumer.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        metrics.ShouldContain("fleetman_messaging_dead_lettered");
        metrics.ShouldContain("fleetman_queueconsumer_positions_rejected");
        metrics.ShouldContain("fleetman_queueconsumer_positions_stored");
    }
}
