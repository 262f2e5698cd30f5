namespace Fleetman.PositionSimulator.Tests.System;

/// <summary>
/// The broker's name does not resolve (as the course's <c>fleetman-queue</c> before the queue exists), or its port
/// accepts and never answers, and the simulator has two pool threads: it must stay live while its readiness is asked,
/// its readiness say why not, and, once a report has timed out, hold no more reports for the broker: the due ones are
/// dropped at once until it connects (instead of each waiting the send timeout, a thousand a second here).
/// </summary>
public sealed class UnreachableBrokerTests
{
    [Theory]
    [InlineData(UnreachableBrokerKind.UnresolvableName)]
    [InlineData(UnreachableBrokerKind.SilentPort)]
    public async Task With_a_broker_behind_an_unreachable_address_and_a_small_thread_pool_the_simulator_stays_live_says_why_it_is_not_ready_and_holds_no_reports_once_one_timed_out(UnreachableBrokerKind kind)
    {
        await using var broker = new UnreachableBroker(kind);
        var environment = broker.Environment(new Dictionary<string, string?>
        {
            ["Broker__SendTimeoutSeconds"] = "2",
            ["Simulator__Vehicles"] = "200",
            ["Simulator__ReportIntervalMilliseconds"] = "200",
            ["Messaging__Destinations__PositionReported"] = Eventually.UniqueQueue("simulator-unreachable"),
        });
        await using var simulator = await ServiceProcess.StartAsync("position-simulator", "Fleetman.PositionSimulator", environment, readinessPath: "/healthz/live");

        var readiness = await simulator.LiveWhileReadinessIsAskedAsync(TimeSpan.FromSeconds(30));

        readiness.ShouldNotBeEmpty("no readiness answer came within the bound");
        readiness.ShouldAllBe(answer => answer.Status == HttpStatusCode.ServiceUnavailable && answer.Body.Contains(broker.NotConnected));
        await Eventually.Until(
            async () => await StatusAsync(simulator) is { Failed: > 0, InFlight: 0 },
            TimeSpan.FromSeconds(30),
            async () => $"reports still wait for the broker after the first timed out: {await StatusAsync(simulator)}");
        var held = await StatusAsync(simulator);
        await Eventually.Until(
            async () => (await StatusAsync(simulator)).Dropped > held.Dropped + 1_000,
            TimeSpan.FromSeconds(30),
            async () => $"the due reports are not dropped: {await StatusAsync(simulator)}");
        var later = await StatusAsync(simulator);
        (later.Published, later.Failed, later.InFlight, later.Running).ShouldBe((0L, held.Failed, 0, true), "no report was sent to wait for the broker meanwhile");
        simulator.Tail(100).ShouldContain("dropped since the last warning; the latest because the broker is not connected");
    }

    private static Task<SimulatorStatus> StatusAsync(ServiceProcess simulator) => simulator.GetJsonAsync<SimulatorStatus>("/simulator/status");
}
