namespace Fleetman.QueueConsumer.Tests.Unit;

/// <summary>
/// The retirement handler on the in-memory transport, with Redis unreachable (Redis is not part of this layer): what it
/// refuses, and that a retirement waits for Redis rather than being lost. With Redis: Integration/RetirementTests.
/// </summary>
public sealed class RetireVehiclesHandlerTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private IHost? _host;

    private InMemoryBroker Broker => _host!.Broker();

    private IMessagePublisher Publisher => _host!.Publisher();

    [Fact]
    public async Task Unusable_retirements_go_to_the_dead_letter_queue_with_the_reason()
    {
        await StartAsync();

        await Publisher.PublishAsync(new VehiclesRetired([], Now));
        await Publisher.PublishAsync(new VehiclesRetired(["Van", "Bad\nName"], Now));
        await Publisher.PublishAsync(new VehiclesRetired([.. Enumerable.Range(0, VehiclesRetired.MaxNames + 1).Select(i => $"Van {i}")], Now));
        await Broker.SendRawAsync<VehiclesRetired>("""{"time":"2026-11-22T12:00:00Z"}""");

        await Eventually.Until(() => Broker.DeadLetters<VehiclesRetired>().Count == 4, () => $"{Broker.DeadLetters<VehiclesRetired>().Count} of 4 dead-lettered");
        var reasons = Broker.DeadLetters<VehiclesRetired>().Select(d => d.Reason).ToList();
        reasons.ShouldContain("names is empty");
        reasons.ShouldContain(r => r.StartsWith("names holds an invalid vehicle name", StringComparison.Ordinal));
        reasons.ShouldContain($"names has {VehiclesRetired.MaxNames + 1} entries; at most {VehiclesRetired.MaxNames} per message");
        reasons.ShouldContain(r => r.StartsWith("the body is not a valid VehiclesRetired", StringComparison.Ordinal));
        Broker.Published<VehiclesRemoved>().ShouldBeEmpty();
    }

    [Fact]
    public async Task While_redis_is_unreachable_a_retirement_waits_unacked_instead_of_being_dead_lettered()
    {
        await StartAsync();

        await Publisher.PublishAsync(new VehiclesRetired(["Van 1", "Van 2"], Now));

        var logs = _host!.Services.GetFakeLogCollector();
        await Eventually.Until(() => logs.GetSnapshot().Any(r => r.Level == LogLevel.Warning && r.Message.Contains("Redis (the latest positions)", StringComparison.Ordinal)),
            Eventually.Patience, () => "the handler did not report Redis as unavailable");
        Broker.DeadLetters<VehiclesRetired>().ShouldBeEmpty("Redis being down is not the message's fault");
        Broker.Depth<VehiclesRetired>().ShouldBe(1, "the retirement waits unacked");
        Broker.Published<VehiclesRemoved>().ShouldBeEmpty();
    }

    private async Task StartAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Retirements:RetryDelayMilliseconds"] = "10",
            ["Retirements:RetryMaxDelayMilliseconds"] = "50",
        };
        var clock = new FakeTimeProvider(Now);
        _host = await RetirementHost.StartAsync(
            new LatestPositionCache(new RedisConnection(UnreachableRedis.Create()), clock: clock), clock, settings, builder => builder.Logging.AddFakeLogging());
    }

    public async ValueTask DisposeAsync() => await RetirementHost.StopAsync(_host);
}
