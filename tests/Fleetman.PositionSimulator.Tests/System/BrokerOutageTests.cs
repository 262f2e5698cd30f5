namespace Fleetman.PositionSimulator.Tests.System;

// Not in the shared-broker collection: these tests use no broker or a private one of their own, so they run beside the
// shared-broker tests instead of after them.
public sealed class BrokerOutageTests
{
    [Fact]
    public async Task With_no_broker_the_simulator_keeps_driving_drops_its_reports_once_one_timed_out_stays_live_and_stops_cleanly()
    {
        var closedPort = BrokerInstance.FreePort().ToString(CultureInfo.InvariantCulture);
        await using var simulator = await SimulatorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Broker__Host"] = "127.0.0.1",
            ["Broker__Port"] = closedPort,
            ["Broker__SendTimeoutSeconds"] = "1",
            ["Broker__ConnectTimeoutSeconds"] = "1",
            ["Broker__ReconnectMaxDelayMilliseconds"] = "500",
            ["Simulator__Vehicles"] = "5",
            ["Simulator__ReportIntervalMilliseconds"] = "200",
            ["Simulator__MaxInFlightPublishes"] = "10",
            ["Messaging__Destinations__PositionReported"] = Eventually.UniqueQueue("simulator-no-broker"),
        });

        // The first second's reports wait (at most 10, the rest dropped) and time out; after that none is sent.
        var first = await simulator.WaitForStatusAsync(s => s is { Failed: > 0, InFlight: 0 }, "the first reports have not timed out yet");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var later = await simulator.StatusAsync();

        later.Running.ShouldBeTrue();
        later.Published.ShouldBe(0);
        later.Failed.ShouldBe(first.Failed, "once a report timed out, none is sent while the broker is not connected");
        later.InFlight.ShouldBe(0);
        later.Dropped.ShouldBeGreaterThan(first.Dropped + 50, "25 reports a second are dropped at once");
        using (var live = await simulator.Http.GetAsync(new Uri("/healthz/live", UriKind.Relative)))
        {
            live.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using (var ready = await simulator.Http.GetAsync(new Uri("/healthz/ready", UriKind.Relative)))
        {
            ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, "not ready without the broker");
        }

        var warnings = simulator.Output.Count(line => line.Contains("dropped since the last warning", StringComparison.Ordinal));
        warnings.ShouldBeInRange(1, 2, $"warnings are rate-limited ({later.Dropped} drops so far)");
        simulator.HasExited.ShouldBeFalse();
        (await simulator.TerminateAsync(TimeSpan.FromSeconds(20))).ShouldBe(0, "SIGTERM ends it cleanly");
    }

    [Fact]
    public async Task Publishing_resumes_by_itself_when_the_broker_comes_back()
    {
        // A private broker: started once so it has credentials, then stopped for the outage.
        await using var broker = await BrokerInstance.StartPrivateAsync();
        var environment = await SimulatorEnvironment.ForAsync(broker, Eventually.UniqueQueue("simulator-outage"), vehicles: 3, intervalMilliseconds: 200,
            ("Broker__SendTimeoutSeconds", "1"), ("Broker__ReconnectMaxDelayMilliseconds", "500"));
        await broker.StopAsync();
        await using var simulator = await SimulatorProcess.StartAsync(environment);
        await simulator.WaitForStatusAsync(s => s.Failed > 5, "no publish has failed yet");
        (await simulator.StatusAsync()).Published.ShouldBe(0);

        await broker.StartAsync();

        await simulator.WaitForStatusAsync(s => s.Published > 20, "publishing has not resumed");
        simulator.Output.ShouldContain(line => line.Contains("Publishing position reports to", StringComparison.Ordinal) && line.Contains("again", StringComparison.Ordinal));
        (await simulator.StatusAsync()).Running.ShouldBeTrue();
    }
}
