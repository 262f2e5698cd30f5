using System.Reflection;
using Fleetman.QueueConsumer.Events;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;

namespace Fleetman.QueueConsumer.Tests.Unit;

/// <summary>
/// The queue-consumer's handler on the in-memory transport with a real SQLite store in a temporary folder, a fake clock
/// and a fake logger. Redis is not part of this layer: every call to it fails, which is the path where the positions
/// are still stored and announced (the latest positions only speed up reads).
/// </summary>
public sealed class StorePositionsHandlerTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fleetman-handler-");
    private readonly FakeTimeProvider _clock = new(Now);
    private IHost? _host;

    private InMemoryBroker Broker => _host!.Services.GetRequiredService<InMemoryBroker>();

    private FakeLogCollector Logs => _host!.Services.GetFakeLogCollector();

    [Fact]
    public async Task Reports_are_stored_with_speeds_and_announced_once_stored_at_the_clocks_time()
    {
        var store = await StartAsync(Path.Combine(_folder.FullName, "positions.db"));
        PositionReported[] reports =
        [
            new("City Truck", 53.3800, -1.4700, Now.AddSeconds(-20)),
            new("City Truck", 53.3810, -1.4700, Now.AddSeconds(-10)),
            new("Van", 53.3700, -1.4600, Now.AddSeconds(-10)),
        ];

        await Publisher.PublishAllAsync(reports);

        await Eventually.Until(() => Broker.Published<VehiclePositionsUpdated>().Sum(u => u.Positions.Count) == 3, () => "the update was not published");
        (await store.CountAsync(null, default)).ShouldBe(3);
        var updates = Broker.Published<VehiclePositionsUpdated>();
        updates.ShouldAllBe(u => u.StoredAt == Now);
        updates.SelectMany(u => u.Positions).Where(p => p.Vehicle == "City Truck").Select(p => p.SpeedMph).ShouldBe([null, 24.9], (IEqualityComparer<double?>)new Tolerance());
        Broker.DeadLetters<PositionReported>().ShouldBeEmpty();
        await Eventually.Until(() => Broker.Depth<PositionReported>() == 0, () => $"{Broker.Depth<PositionReported>()} not acked");
    }

    [Fact]
    public async Task A_report_stored_after_a_newer_one_of_its_vehicle_is_announced_too_for_the_browsers_following_it()
    {
        // As two batches handled at once leave it when the later one stores first: the older report is late.
        var store = await StartAsync(Path.Combine(_folder.FullName, "positions.db"));
        await Publisher.PublishAllAsync([new PositionReported("Late Van", 53.3810, -1.4700, Now.AddSeconds(-10))]);
        await Eventually.Until(() => Broker.Published<VehiclePositionsUpdated>().Count == 1, () => "the newer report was not announced");

        await Publisher.PublishAllAsync([new PositionReported("Late Van", 53.3800, -1.4700, Now.AddSeconds(-20))]);

        await Eventually.Until(
            () => Broker.Published<VehiclePositionsUpdated>().Count == 2,
            () => "the late report was stored but not announced: a browser following the vehicle never gets that point");
        (await store.CountAsync(null, default)).ShouldBe(2);
        Broker.Published<VehiclePositionsUpdated>()[1].Positions.ShouldHaveSingleItem().Time.ShouldBe(Now.AddSeconds(-20));
    }

    [Fact]
    public async Task A_vehicle_update_the_broker_refuses_is_sent_again_until_it_goes_out_the_batch_held_and_each_refusal_counted()
    {
        using var notPublished = new MetricCollector<long>(null, "Fleetman.QueueConsumer", "updates.not_published");
        var store = await StartAsync(Path.Combine(_folder.FullName, "positions.db"));
        Broker.RefuseSends<VehiclePositionsUpdated>(3);

        await Publisher.PublishAsync(new PositionReported("Followed Van", 53.38, -1.47, Now.AddSeconds(-1)));

        // The handler waits between sends on its (fake) clock: moved on while waiting for the announcement.
        await Eventually.Until(
            () =>
            {
                _clock.Advance(TimeSpan.FromSeconds(1));
                return Broker.Published<VehiclePositionsUpdated>().Count > 0;
            },
            () => $"the stored point was never announced ({Broker.Depth<PositionReported>()} report(s) unacked): a browser following the vehicle lost it");
        Broker.Published<VehiclePositionsUpdated>().ShouldHaveSingleItem().Positions.ShouldHaveSingleItem().Vehicle.ShouldBe("Followed Van");
        (await store.CountAsync("Followed Van", default)).ShouldBe(1);
        notPublished.GetMeasurementSnapshot().Sum(m => m.Value).ShouldBeGreaterThanOrEqualTo(3, "the meter is static: other tests may count too");
        Logs.GetSnapshot().Count(r => r.Level == LogLevel.Warning && r.Message.Contains("could not publish VehiclePositionsUpdated", StringComparison.Ordinal)).ShouldBe(3);
        Logs.GetSnapshot().ShouldNotContain(r => r.Category == "Polly", "each refusal is logged once, by the handler, not again by Polly's telemetry");
        await Eventually.Until(() => Broker.Depth<PositionReported>() == 0, () => "still unacked after the announcement went out");
        Broker.DeadLetters<PositionReported>().ShouldBeEmpty();
    }

    [Fact]
    public async Task The_store_lag_runs_from_the_vehicle_s_report_to_the_write_in_seconds()
    {
        using var lag = new MetricCollector<double>(null, "Fleetman.QueueConsumer", "positions.store_lag");
        await StartAsync(Path.Combine(_folder.FullName, "positions.db"));

        await Publisher.PublishAllAsync([new PositionReported("Lag Truck", 53.38, -1.47, Now.AddSeconds(-42)), new PositionReported("Lag Van", 53.37, -1.46, Now.AddSeconds(-7))]);

        await Eventually.Until(() => Broker.Published<VehiclePositionsUpdated>().Count > 0, () => "nothing was stored");
        // The meter is static and other tests store too: look for this test's two values among theirs.
        lag.GetMeasurementSnapshot().Select(measurement => measurement.Value).ShouldContain(42.0);
        lag.GetMeasurementSnapshot().Select(measurement => measurement.Value).ShouldContain(7.0);
    }

    [Fact]
    public async Task Poison_reports_go_to_the_dead_letter_queue_with_the_reason_and_good_ones_are_stored()
    {
        var store = await StartAsync(Path.Combine(_folder.FullName, "positions.db"));

        await Publisher.PublishAsync(new PositionReported("Van", 95.0, -1.4, Now.AddSeconds(-5)));
        await Broker.SendRawAsync<PositionReported>("""{"vehicle":"Van","lat":53.1}""");
        await Publisher.PublishAsync(new PositionReported("Van", 53.38, -1.47, Now.AddSeconds(-1)));

        await Eventually.Until(() => Broker.DeadLetters<PositionReported>().Count == 2 && store.CountAsync("Van", default).GetAwaiter().GetResult() == 1,
            () => $"{Broker.DeadLetters<PositionReported>().Count} dead-lettered");
        var dead = Broker.DeadLetters<PositionReported>();
        dead.ShouldContain(d => d.Reason == "lat 95 is outside -90..90");
        dead.ShouldContain(d => d.Body == """{"vehicle":"Van","lat":53.1}""" && d.Reason.StartsWith("the body is not a valid PositionReported", StringComparison.Ordinal));
        Logs.GetSnapshot().ShouldContain(r => r.Level == LogLevel.Error && r.Message.Contains("lat 95 is outside -90..90", StringComparison.Ordinal));
    }

    [Fact]
    public async Task While_the_store_is_down_reports_are_held_not_dead_lettered_and_stored_once_it_is_back()
    {
        // The store's folder cannot be created while a file of that name is in the way: every store call fails.
        var blocker = Path.Combine(_folder.FullName, "data");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var store = await StartAsync(Path.Combine(blocker, "positions.db"));

        await Publisher.PublishAsync(new PositionReported("Van", 53.38, -1.47, Now.AddSeconds(-1)));

        await Eventually.Until(() => Holding().Count >= 3, () => $"{Holding().Count} holding warnings");
        Broker.DeadLetters<PositionReported>().ShouldBeEmpty("a store outage is not the message's fault");
        Broker.Depth<PositionReported>().ShouldBe(1, "the report waits unacked");
        Holding()[0].Message.ShouldContain("the position store");

        File.Delete(blocker);

        await Eventually.Until(() => store.CountAsync("Van", default).GetAwaiter().GetResult() == 1, () => "not stored after the store came back");
        await Eventually.Until(() => Broker.Depth<PositionReported>() == 0, () => "still unacked");
        Broker.DeadLetters<PositionReported>().ShouldBeEmpty();

        List<FakeLogRecord> Holding() => [.. Logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning && r.Message.StartsWith("Holding 1 message(s)", StringComparison.Ordinal))];
    }

    [Fact]
    public async Task A_batch_with_one_bad_report_dead_letters_only_that_one_and_stores_and_announces_the_rest()
    {
        var store = await StartAsync(Path.Combine(_folder.FullName, "positions.db"));
        var reports = Enumerable.Range(0, 10).Select(i => new PositionReported($"Van {i}", 53.38, -1.47, Now.AddSeconds(-1))).ToList();
        reports[4] = reports[4] with { Longitude = -181 };

        await Publisher.PublishAllAsync(reports);

        await Eventually.Until(() => Broker.Published<VehiclePositionsUpdated>().Sum(u => u.Positions.Count) == 9,
            () => $"{Broker.Published<VehiclePositionsUpdated>().Sum(u => u.Positions.Count)} of 9 announced");
        (await store.CountAsync(null, default)).ShouldBe(9);
        Broker.DeadLetters<PositionReported>().ShouldHaveSingleItem().Reason.ShouldBe("long -181 is outside -180..180");
        Broker.Published<VehiclePositionsUpdated>().SelectMany(u => u.Positions).ShouldNotContain(p => p.Vehicle == "Van 4");
    }

    [Fact]
    public async Task A_redelivered_batch_neither_stores_nor_announces_its_fleet_events_twice()
    {
        using var counted = new MetricCollector<long>(null, "Fleetman.Fleet", "events.total");
        var store = await StartAsync(Path.Combine(_folder.FullName, "positions.db"));
        // About 400 m in 10 s: 144 km/h, above the default limit of 50.
        PositionReported[] reports =
        [
            new("Racer", 53.3800, -1.4700, Now.AddSeconds(-20)),
            new("Racer", 53.3836, -1.4700, Now.AddSeconds(-10)),
        ];

        await Publisher.PublishAllAsync(reports);
        await Eventually.Until(() => Broker.Published<FleetEventsOccurred>().Count == 1, () => "no fleet event announced");
        await Eventually.Until(() => Broker.Depth<PositionReported>() == 0, () => "still unacked");
        await Publisher.PublishAllAsync(reports);
        await Eventually.Until(() => Broker.Published<VehiclePositionsUpdated>().Count >= 1 && Broker.Depth<PositionReported>() == 0, () => "the second delivery was not handled");
        await Publisher.PublishAsync(new PositionReported("Marker", 53.37, -1.46, Now.AddSeconds(-1)));
        await Eventually.Until(() => Broker.Published<VehiclePositionsUpdated>().Any(u => u.Positions.Any(p => p.Vehicle == "Marker")), () => "the marker was not stored");

        var announced = Broker.Published<FleetEventsOccurred>().SelectMany(o => o.Events).ShouldHaveSingleItem();
        announced.Kind.ShouldBe(FleetEventKind.OverspeedStarted);
        announced.Time.ShouldBe(Now.AddSeconds(-10));
        announced.SpeedKph!.Value.ShouldBe(144, tolerance: 2);
        (await store.GetEventsAsync(null, 100, default)).ShouldHaveSingleItem().Id.ShouldBe(announced.Id);
        counted.GetMeasurementSnapshot().Where(m => m.Tags["kind"] as string == "overspeed_started").Sum(m => m.Value).ShouldBe(1);
    }

    private IMessagePublisher Publisher => _host!.Services.GetRequiredService<IMessagePublisher>();

    private async Task<SqlitePositionStore> StartAsync(string databasePath)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            // One batch at a time, in order (the queue-consumer's appsettings.json, copied beside the tests, says two): with
            // two, a vehicle's older report can be stored after its newer one (a late report, announced for followers
            // only), which is right but not what these tests are about.
            ["Consumer:Concurrency"] = "1",
            ["Consumer:BatchSize"] = "100",
            ["Consumer:BatchTimeoutMilliseconds"] = "50",
            ["Consumer:RetryDelayMilliseconds"] = "10",
            ["Consumer:RetryMaxDelayMilliseconds"] = "50",
        });
        builder.Logging.ClearProviders().AddFakeLogging();
        var store = new SqlitePositionStore(databasePath);
        builder.Services.AddSingleton<IPositionStore>(store);
        builder.Services.AddSingleton<IFleetEventStore>(store);
        builder.AddFleetEvents();
        builder.Services.AddSingleton(new LatestPositionCache(new RedisConnection(UnreachableRedis.Create())));
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddAnnouncementRetry();
        builder.AddMessaging().AddBatchConsumer<PositionReported, StorePositionsHandler>("Consumer");
        _host = builder.Build();
        await _host.StartAsync();
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private sealed class Tolerance : IEqualityComparer<double?>
    {
        public bool Equals(double? x, double? y) => x is null ? y is null : y is not null && Math.Abs(x.Value - y.Value) < 0.5;

        public int GetHashCode(double? obj) => 0;
    }
}

/// <summary>A Redis client for which Redis is never reachable: every call fails as StackExchange.Redis fails while disconnected.</summary>
public class UnreachableRedis : DispatchProxy
{
    public static IConnectionMultiplexer Create() => Create<IConnectionMultiplexer, UnreachableRedis>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not part of the unit tests.");
}
