using Fleetman.PositionStore;

namespace Fleetman.Pipeline.Tests.System;

/// <summary>
/// Reports whose time cannot be believed, through the real queue-consumer, broker, SQLite and Redis: one from the
/// future is dead-lettered with the reason; one older than its vehicle's latest is stored and announced (for the browsers
/// following the vehicle, see the api-gateway's LiveHubTests) but never the latest.
/// </summary>
public sealed class ClockSkewTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string VehicleName = "Skewed Van";

    private sealed record Vehicle(string Name, double Lat, double Longitude, DateTimeOffset Timestamp, double? Speed);

    [Fact]
    public async Task A_report_from_beyond_the_skew_bound_is_dead_lettered_and_a_late_one_never_becomes_the_latest()
    {
        await using var run = await IsolatedRun.StartAsync();
        await using var tracker = await run.StartTrackerAsync();
        await using var consumer = await run.StartConsumerAsync();
        await using var client = await run.Broker.ConnectAsync();
        var dead = client.DeadLetters(run.Queue);
        var updates = new ConcurrentQueue<VehiclePosition>();
        await using var listener = client.Listen<VehiclePositionsUpdated>(run.Topic, topic: true, (update, _) =>
        {
            foreach (var position in update.Positions)
            {
                updates.Enqueue(position);
            }
        });
        var store = new SqlitePositionStore(run.DatabasePath);
        long Stored() => store.CountAsync(VehicleName, default).GetAwaiter().GetResult();

        // Whole seconds: the times survive every store and format exactly.
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        await client.PublishAsync(run.Queue, new PositionReported(VehicleName, 53.3800, -1.4700, now));
        await Eventually.Until(() => Stored() == 1, Patience, () => $"the first report was not stored; consumer log:\n{consumer.Tail()}");

        var future = new PositionReported(VehicleName, 53.9000, -1.9000, now.AddHours(1));
        var late = new PositionReported(VehicleName, 53.3700, -1.4600, now.AddMinutes(-1));
        var next = new PositionReported(VehicleName, 53.3801, -1.4701, now.AddSeconds(1));
        await client.PublishAsync(run.Queue, future);
        await client.PublishAsync(run.Queue, late);
        await client.PublishAsync(run.Queue, next);

        await Eventually.Until(() => dead.Count == 1 && Stored() == 3 && updates.Any(p => p.Time == next.Time), Patience,
            () => $"{dead.Count} dead-lettered, {Stored()} of 3 stored, updates: {string.Join(", ", updates.Select(p => p.Time))}");
        dead.Single().ShouldContain(future.Time.ToString("yyyy-MM-ddTHH:mm:ss", global::System.Globalization.CultureInfo.InvariantCulture));
        // The service's console logger writes from a queue of its own, so the line can reach the log file after the
        // dead letter reached the broker: waited for, not read once (an empty log once, under load).
        await Eventually.Until(() => consumer.Tail(200).Contains("ahead of the consumer's clock", StringComparison.Ordinal), Patience,
            () => $"the consumer logged no report ahead of its clock:\n{consumer.Tail()}");
        await Eventually.Until(() => updates.Any(p => p.Time == late.Time), Patience, () => "the late report was not announced for the vehicle's followers");
        updates.ShouldNotContain(p => p.Time == future.Time);

        var latest = (await tracker.GetJsonAsync<Vehicle[]>("/vehicles/")).Single(v => v.Name == VehicleName);
        latest.Timestamp.ShouldBe(next.Time);
        latest.Lat.ShouldBe(next.Latitude, 1e-9);
    }
}
