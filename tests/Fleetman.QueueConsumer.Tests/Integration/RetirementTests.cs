using StackExchange.Redis;

namespace Fleetman.QueueConsumer.Tests.Integration;

/// <summary>
/// Retirements and the retention sweep as the queue-consumer runs them: the in-memory transport, the real Redis (its own
/// key prefix per test) and a clock the test moves.
/// </summary>
public sealed class RetirementTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);
    private ConnectionMultiplexer _redis = null!;
    private LatestPositionCache _cache = null!;
    private IHost _host = null!;

    private InMemoryBroker Broker => _host.Broker();

    public async Task InitializeAsync()
    {
        _redis = await ConnectionMultiplexer.ConnectAsync(await BrokerInstance.Shared().RedisConnectionStringAsync());
        _cache = new LatestPositionCache(new RedisConnection(_redis), $"test:{Guid.NewGuid():N}", _clock);
        var settings = new Dictionary<string, string?>
        {
            ["LatestPositions:Retention"] = "00:05:00",
            ["LatestPositions:SweepInterval"] = "00:00:30",
        };
        _host = await RetirementHost.StartAsync(_cache, _clock, settings, builder =>
        {
            builder.Services.AddOptions<LatestPositionsOptions>().BindConfiguration(LatestPositionsOptions.SectionName);
            builder.Services.AddHostedService<RetirementSweeper>();
        });
    }

    public async Task DisposeAsync()
    {
        await RetirementHost.StopAsync(_host);
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_retirement_removes_its_vehicles_and_announces_them_once_handled_and_again_harmlessly_when_redelivered()
    {
        await _cache.UpdateAsync([Position("Van 1", 0), Position("Van 2", 0), Position("Van 3", 0)]);
        var publisher = _host.Publisher();

        await publisher.PublishAsync(new VehiclesRetired(["Van 2", "Van 3"], Start.AddSeconds(5)));

        await Eventually.Until(() => Broker.Published<VehiclesRemoved>().Count == 1, () => "the removal was not announced");
        Broker.Published<VehiclesRemoved>()[0].Names.ShouldBe(["Van 2", "Van 3"]);
        Broker.Published<VehiclesRemoved>()[0].RemovedAt.ShouldBe(Start);
        (await _cache.GetAllAsync()).Select(p => p.Vehicle).ShouldBe(["Van 1"]);

        // The same retirement again (a redelivery): the same vehicles, announced again, nothing else changes.
        await publisher.PublishAsync(new VehiclesRetired(["Van 2", "Van 3"], Start.AddSeconds(5)));

        await Eventually.Until(() => Broker.Published<VehiclesRemoved>().Count == 2, () => "the redelivered removal was not announced");
        Broker.Published<VehiclesRemoved>()[1].Names.ShouldBe(["Van 2", "Van 3"]);
        (await _cache.GetAllAsync()).Select(p => p.Vehicle).ShouldBe(["Van 1"]);
        Broker.Depth<VehiclesRetired>().ShouldBe(0);
        Broker.DeadLetters<VehiclesRetired>().ShouldBeEmpty();
    }

    [Fact]
    public async Task The_sweep_retires_a_vehicle_silent_for_the_retention_and_announces_it_while_one_that_reports_stays()
    {
        await _cache.UpdateAsync([Position("Quiet Van", 0), Position("Busy Van", 0)]);

        for (var minute = 1; minute <= 6; minute++)
        {
            _clock.Advance(TimeSpan.FromSeconds(30));
            await _cache.UpdateAsync([Position("Busy Van", minute * 30)]);
            _clock.Advance(TimeSpan.FromSeconds(30));
            await _cache.UpdateAsync([Position("Busy Van", (minute * 60) + 1)]);
        }

        await Eventually.Until(() => Broker.Published<VehiclesRemoved>().Count == 1, () => "the silent vehicle was not announced");
        Broker.Published<VehiclesRemoved>()[0].Names.ShouldBe(["Quiet Van"]);
        (await _cache.GetAllAsync()).Select(p => p.Vehicle).ShouldBe(["Busy Van"]);
    }

    [Fact]
    public async Task A_sweep_that_redis_does_not_answer_is_logged_and_the_consumer_keeps_running_and_retires_at_a_later_sweep()
    {
        await using var hung = await HungRedis.ConnectAsync();
        var cache = new LatestPositionCache(new RedisConnection(hung.Client), $"test:{Guid.NewGuid():N}", _clock);
        await cache.UpdateAsync([Position("Quiet Van", 0)]);
        var settings = new Dictionary<string, string?>
        {
            ["LatestPositions:Retention"] = "00:05:00",
            ["LatestPositions:SweepInterval"] = "00:00:30",
        };
        var host = await RetirementHost.StartAsync(cache, _clock, settings, builder =>
        {
            builder.Logging.AddFakeLogging();
            builder.Services.AddOptions<LatestPositionsOptions>().BindConfiguration(LatestPositionsOptions.SectionName);
            builder.Services.AddHostedService<RetirementSweeper>();
        });
        try
        {
            hung.Proxy.Freeze();
            _clock.Advance(TimeSpan.FromMinutes(6));

            var logs = host.Services.GetFakeLogCollector();
            await Eventually.Until(
                () =>
                {
                    // Again and again: the sweeper's timer may start after the first advance.
                    _clock.Advance(TimeSpan.FromSeconds(30));
                    return logs.GetSnapshot().Any(log => log.Level == LogLevel.Warning && log.Message.Contains("Could not look for silent vehicles", StringComparison.Ordinal));
                },
                Eventually.Patience,
                () => "the failed sweep was not logged");
            host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested
                .ShouldBeFalse("a sweep Redis did not answer stopped the queue-consumer");

            hung.Proxy.Thaw();
            await Eventually.Until(
                () =>
                {
                    _clock.Advance(TimeSpan.FromSeconds(30));
                    return host.Broker().Published<VehiclesRemoved>().Count == 1;
                },
                Eventually.Patience,
                () => "the silent vehicle was not retired once Redis answered again; logged:\n" + string.Join('\n', logs.GetSnapshot().Select(log => $"{log.Level} {log.Message}")));
            host.Broker().Published<VehiclesRemoved>()[0].Names.ShouldBe(["Quiet Van"]);
        }
        finally
        {
            await RetirementHost.StopAsync(host);
        }
    }

    private static VehiclePosition Position(string vehicle, int second) => new(vehicle, 53.38, -1.47, Start.AddSeconds(second), null, null);
}
