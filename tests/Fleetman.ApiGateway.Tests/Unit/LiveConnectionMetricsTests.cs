using System.Diagnostics.Metrics;
using Fleetman.ApiGateway.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleetman.ApiGateway.Tests.Unit;

/// <summary>What one hub connection reports about what it could not push.</summary>
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
            "c1", services.GetRequiredService<IHubContext<VehicleHub, IVehicleClient>>(), new VehicleHubOptions(), metrics, TimeProvider.System, NullLogger.Instance, new Lock());
        var events = Enumerable.Range(0, ConnectionBuffer.MaxWaitingEvents + 7).Select(i => ConnectionBufferTests.Event($"e{i}", i)).ToArray();
        connection.Announce(events[..ConnectionBuffer.MaxWaitingEvents]);
        dropped.GetMeasurementSnapshot().Sum(m => m.Value).ShouldBe(0, "up to the limit every event waits");

        connection.Announce(events[ConnectionBuffer.MaxWaitingEvents..]);

        dropped.GetMeasurementSnapshot().Sum(m => m.Value).ShouldBe(7);
    }
}
