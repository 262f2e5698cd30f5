using System.Diagnostics.Metrics;
using Fleetman.ApiGateway.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Fleetman.ApiGateway.Tests.Unit;

/// <summary>What one hub connection reports about what it could not push.</summary>
/// <remarks>SignalR's own hub context (and its Redis backplane, pointed at a port nothing listens on), no browser.</remarks>
public sealed class LiveConnectionMetricsTests
{
    [Fact]
    public async Task Fleet_events_dropped_for_a_connection_that_does_not_read_are_counted_and_the_series_exists_at_zero_before()
    {
        // SignalR's own hub context, with no client connected: nothing is pushed before Start, so the events wait.
        await using var services = new ServiceCollection().AddLogging().AddMetrics().AddSignalR().Services.BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var dropped = new MetricCollector<long>(meters, ApiGatewayMetrics.MeterName, "hub.events_dropped");
        var metrics = new ApiGatewayMetrics(meters);
        dropped.GetMeasurementSnapshot().Sum(m => m.Value).ShouldBe(0);
        dropped.GetMeasurementSnapshot().ShouldNotBeEmpty("the series is exported at zero from the start");

        await using var connection = new LiveConnection(
            "c1", services.GetRequiredService<IHubContext<VehicleHub, IVehicleClient>>(), new VehicleHubOptions(), metrics, TimeProvider.System, NullLogger.Instance,
            new FrameSendFailures(metrics, TimeProvider.System, NullLogger.Instance), new Lock());
        var events = Enumerable.Range(0, ConnectionBuffer.MaxWaitingEvents + 7).Select(i => ConnectionBufferTests.Event($"e{i}", i)).ToArray();
        connection.Announce(events[..ConnectionBuffer.MaxWaitingEvents]);
        dropped.GetMeasurementSnapshot().Sum(m => m.Value).ShouldBe(0, "up to the limit every event waits");

        connection.Announce(events[ConnectionBuffer.MaxWaitingEvents..]);

        dropped.GetMeasurementSnapshot().Sum(m => m.Value).ShouldBe(7);
    }

    [Fact]
    public async Task A_frame_the_backplane_cannot_take_is_counted_by_its_reason_and_logged_as_a_warning()
    {
        // A connection that is not on this replica (one that just closed here): SignalR sends its frame through the
        // backplane, and Redis cannot be reached.
        await using var services = new ServiceCollection().AddLogging().AddMetrics().AddSignalR().AddStackExchangeRedis(redis =>
        {
            redis.Configuration = ConfigurationOptions.Parse($"127.0.0.1:{BrokerInstance.FreePort()}");
            redis.Configuration.AbortOnConnectFail = false;
            redis.Configuration.ConnectTimeout = 500;
            redis.Configuration.AsyncTimeout = 500;
        }).Services.BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var notSent = new MetricCollector<long>(meters, ApiGatewayMetrics.MeterName, "hub.frames_not_sent");
        var metrics = new ApiGatewayMetrics(meters);
        var logger = new FakeLogger();
        var step = new Lock();
        await using var connection = new LiveConnection(
            "elsewhere", services.GetRequiredService<IHubContext<VehicleHub, IVehicleClient>>(), new VehicleHubOptions(), metrics, TimeProvider.System, logger,
            new FrameSendFailures(metrics, TimeProvider.System, logger), step);
        connection.Offer([new LivePosition("Lost Van", 53.38, -1.47, DateTime.UtcNow, 20, 90)], DateTimeOffset.UtcNow, []);
        connection.Start([]);

        lock (step)
        {
            connection.Push(null);
        }

        // Counted, then logged: both waited for, or the log is read between them.
        await Eventually.Until(
            () => Sum(notSent) == 1 && logger.Collector.GetSnapshot().Any(r => r.Level == LogLevel.Warning),
            () => $"{Sum(notSent)} frames counted as not sent; logged: {string.Join(" | ", logger.Collector.GetSnapshot().Select(r => $"{r.Level} {r.Message}"))}");
        var logged = logger.Collector.GetSnapshot();
        var said = string.Join(" | ", logged.Select(r => $"{r.Level} {r.Message} {r.Exception?.GetType().Name}"));
        notSent.GetMeasurementSnapshot().Where(m => m.Value > 0).ShouldAllBe(m => (string?)m.Tags["reason"] == FrameSendFailures.Backplane, said);
        logged.ShouldContain(r => r.Level == LogLevel.Warning && r.Message.Contains("(backplane)", StringComparison.Ordinal), said);
    }

    [Fact]
    public void Failures_of_one_reason_warn_once_per_interval_saying_how_many_more_and_a_closing_connection_s_are_neither_counted_nor_warned()
    {
        using var meterServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = meterServices.GetRequiredService<IMeterFactory>();
        using var notSent = new MetricCollector<long>(meters, ApiGatewayMetrics.MeterName, "hub.frames_not_sent");
        var clock = new FakeTimeProvider();
        var logger = new FakeLogger();
        var failures = new FrameSendFailures(new ApiGatewayMetrics(meters), clock, logger);
        var backplane = new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No connection is available");

        failures.Failed("c1", backplane);
        failures.Failed("c2", backplane);
        failures.Failed("c3", backplane);
        failures.Failed("c3b", new RedisTimeoutException("Timeout awaiting response", CommandStatus.WaitingToBeSent));
        failures.Failed("c4", new JsonException("a value that cannot be written"));
        failures.Failed("c5", new IOException("The connection was reset"));
        clock.Advance(FrameSendFailures.WarningInterval);
        failures.Failed("c6", backplane);

        Sum(notSent).ShouldBe(6, "every failure but the closing connection's");
        var warnings = logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).ToList();
        warnings.Count.ShouldBe(3, string.Join(" | ", warnings));
        warnings[0].ShouldContain("c1 (backplane); 0 more");
        warnings[1].ShouldContain("c4 (serialization)");
        warnings[2].ShouldContain("c6 (backplane); 3 more");
    }

    private static long Sum(MetricCollector<long> counter) => counter.GetMeasurementSnapshot().Sum(m => m.Value);
}
