namespace Fleetman.Chaos.Tests.System;

/// <summary>
/// One fault per test, injected while the simulator runs on a <see cref="ChaosSystem"/>. After each one:
/// <list type="bullet">
/// <item>every report the broker confirmed to the simulator is stored exactly once, and nothing is stored that the
/// simulator did not send. A report whose receipt never came (lost with a dying connection) is unconfirmed: it may or
/// may not be stored, and either is correct;</item>
/// <item>the API and the hub serve fresh positions again within the bound the test states (measured figures are in
/// the test output and in docs/chaos-local.md);</item>
/// <item>no service crash-loops: every service not killed by the test keeps its process and answers liveness
/// throughout; a killed one comes back once and stays up; all are ready again at the end.</item>
/// </list>
/// The tests of this class run one after the other, never side by side, so each measures its own recovery.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_queue_consumer_killed_with_sigkill_mid_stream_loses_no_confirmed_report_and_the_map_stays_live()
    {
        await using var system = await ChaosSystem.StartAsync(output);
        var victim = system.SecondConsumer;
        var stored = await StoredByAsync(victim);
        stored.ShouldBeGreaterThan(0, "the consumer to be killed was sharing the work");
        await using var watch = new ServiceWatch(system.Services);

        var recovery = await KillAndRestartAsync(system, watch, victim, "one of the two queue-consumers", Bound.ConsumerKilled);

        await system.KeepRunningAsync(seconds: 3);
        (await StoredByAsync(victim)).ShouldBeGreaterThan(0, "the restarted consumer takes its share again");
        await AssertAllAsync(system, watch, recovery, Bound.ConsumerKilled);
    }

    [Fact]
    public async Task ActiveMQ_killed_with_sigkill_and_restarted_loses_no_confirmed_report_and_every_service_reconnects_by_itself()
    {
        await using var system = await ChaosSystem.StartAsync(output);
        await using var watch = new ServiceWatch(system.Services);

        var recovery = await KillAndRestartInfraAsync(
            system, "activemq", "kill -9 ActiveMQ; once the services noticed, start it again on the same data", system.FirstConsumer, Bound.BrokerRestarted);

        await system.KeepRunningAsync(seconds: 3);
        var (simulator, _) = await AssertAllAsync(system, watch, recovery, Bound.BrokerRestarted);
        simulator.Failed.ShouldBe(0, $"sends wait through an outage shorter than Broker__SendTimeoutSeconds ({ChaosSystem.SimulatorSendTimeoutSeconds} s here) instead of failing");
        simulator.Dropped.ShouldBe(0, $"Simulator__MaxInFlightPublishes ({ChaosSystem.SimulatorMaxInFlightPublishes}) holds every report of an outage that sends wait through");
        system.Tap.Connections.ShouldBeGreaterThan(1, "the simulator reconnected to the restarted broker");
    }

    [Fact]
    public async Task While_Redis_is_down_the_api_and_hub_stay_live_and_once_it_is_restarted_empty_everything_recovers_without_losing_a_report()
    {
        await using var system = await ChaosSystem.StartAsync(output);
        await using var watch = new ServiceWatch(system.Services);

        // Redis holds only the latest-position cache and the backplane: the tracker falls back to the store, the
        // consumer goes on storing and announcing. So the API and the hub must serve fresh positions while it is down;
        // only a browser connecting meanwhile has to wait (its snapshot comes from Redis). The outage lasts longer
        // than the Redis client's 5 s command timeout, so nothing is merely waiting it out.
        var recovery = await KillAndRestartInfraAsync(
            system, "redis", "kill -9 Redis; keep it down while the API and the hub serve fresh positions without it, then start it again, empty",
            system.ApiGateway, Bound.RedisRestarted, whileDown: async () =>
            {
                await system.KeepRunningAsync(seconds: 6);
                await system.StillLiveAsync(Bound.LiveWithoutRedis, Bound.LiveAdvance);
            }, servedDuringOutage: true);

        await system.KeepRunningAsync(seconds: 3);
        var (simulator, _) = await AssertAllAsync(system, watch, recovery, Bound.RedisRestarted);
        simulator.Failed.ShouldBe(0, "the simulator does not use Redis");
    }

    [Fact]
    public async Task The_api_gateway_killed_with_sigkill_and_restarted_serves_the_api_and_the_hub_again_and_the_pipeline_never_noticed()
    {
        await using var system = await ChaosSystem.StartAsync(output);
        var victim = system.ApiGateway;
        await using var watch = new ServiceWatch(system.Services);

        var recovery = await KillAndRestartAsync(system, watch, victim, "the api-gateway", Bound.ApiGatewayKilled);

        await system.KeepRunningAsync(seconds: 3);
        system.Hub.Reconnects.ShouldBeGreaterThan(0, "the hub client connected before the kill came back by reconnecting");
        var (simulator, _) = await AssertAllAsync(system, watch, recovery, Bound.ApiGatewayKilled);
        simulator.Failed.ShouldBe(0, "the pipeline does not go through the api-gateway");
    }

    /// <summary>
    /// kill -9 one service, then start it again as a kubelet would; the watch stops watching it before the kill (its
    /// process is meant to change) and watches the new one once it is back.
    /// </summary>
    private static Task<Recovery> KillAndRestartAsync(ChaosSystem system, ServiceWatch watch, ServiceProcess victim, string which, RecoveryBound bound) =>
        system.InjectAsync($"kill -9 {which}, then start it again as a kubelet would", async () =>
        {
            watch.Remove(victim);
            await victim.KillAsync();
        }, async () =>
        {
            await victim.StartAsync(TimeSpan.FromSeconds(60));
            watch.Add(victim);
        }, bound);

    /// <summary>
    /// kill -9 one of the local infrastructure's processes (<c>scripts/infra.sh</c>: activemq or redis); once
    /// <paramref name="noticing"/> is not ready (the services noticed) and <paramref name="whileDown"/> is done, start it
    /// again as infra.sh starts it: ActiveMQ on the same data, Redis empty.
    /// </summary>
    private static Task<Recovery> KillAndRestartInfraAsync(
        ChaosSystem system, string component, string what, ServiceProcess noticing, RecoveryBound bound, Func<Task>? whileDown = null, bool servedDuringOutage = false) =>
        system.InjectAsync(what, () => system.Broker.InfraAsync("kill", component), async () =>
        {
            await system.UntilNotReadyAsync(noticing);
            if (whileDown is not null)
            {
                await whileDown();
            }

            await system.Broker.InfraAsync("start", component);
        }, bound, servedDuringOutage);

    /// <summary>The three promises every scenario keeps; returns the simulator's final counts and the stored rows.</summary>
    private static async Task<(SimulatorStatus Simulator, List<ReportKey> Stored)> AssertAllAsync(ChaosSystem system, ServiceWatch watch, Recovery recovery, RecoveryBound bound)
    {
        var (simulator, stored) = await system.StopAndDrainAsync();
        var findings = watch.Findings.ToList();
        var changed = watch.ProcessChanges().ToList();
        system.Log($"liveness: {watch.Probes} probes, {findings.Count} findings; process changes: {changed.Count}");

        // 1. Every confirmed report exactly once, nothing from nowhere.
        system.Tap.Problems.ShouldBeEmpty("the tap read every STOMP frame");
        var duplicates = stored.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => $"{g.Key} ×{g.Count()}").Take(10).ToList();
        duplicates.ShouldBeEmpty("no (vehicle, time) is stored twice");
        var storedSet = stored.ToHashSet();
        var confirmed = system.Tap.Confirmed.ToHashSet();
        var sent = system.Tap.Sent.ToHashSet();
        confirmed.Except(storedSet).Take(10).ShouldBeEmpty("every report the broker confirmed is stored");
        storedSet.Except(sent).Take(10).ShouldBeEmpty("everything stored was sent by the simulator");
        ((long)confirmed.Count).ShouldBeGreaterThanOrEqualTo(simulator.Published, "the tap saw a receipt for every report the simulator counts as published");
        var unconfirmed = sent.Except(confirmed).ToList();
        system.Log($"exactly once: {confirmed.Count} confirmed reports stored once each; {unconfirmed.Count} sent without a receipt, "
            + $"{unconfirmed.Count(storedSet.Contains)} of them stored anyway");

        // 2. Recovery within the bound, on top of the lag the machine ran with before the fault.
        var total = bound.Total + system.SteadyLag;
        var afterOutage = bound.AfterOutage + system.SteadyLag;
        system.Log($"RECOVERY {recovery} (bounds: {total.TotalSeconds:F0} s from the fault, {afterOutage.TotalSeconds:F0} s after the outage, "
            + $"each {system.SteadyLag.TotalSeconds:F1} s of steady lag more than the scenario's)");
        recovery.Slowest.ShouldBeLessThanOrEqualTo(total, $"recovery within {total.TotalSeconds:F0} s of the fault: {recovery}");
        recovery.SlowestAfterOutage.ShouldBeLessThanOrEqualTo(afterOutage, $"recovery within {afterOutage.TotalSeconds:F0} s of the end of the outage: {recovery}");

        // 3. No crash loop.
        changed.ShouldBeEmpty("no watched service exited or was restarted");
        findings.ShouldBeEmpty("every watched service stayed live");
        return (simulator, stored);
    }

    private static async Task<long> StoredByAsync(ServiceProcess consumer)
    {
        var metrics = await consumer.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return metrics.Split('\n')
            .Where(line => line.StartsWith("fleetman_queueconsumer_positions_stored", StringComparison.Ordinal))
            .Sum(line => (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], global::System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// How long each fault may keep fresh positions from the API and the hub (and readiness) away. The figures measured
    /// on a loaded two-core machine are in docs/chaos-local.md; each bound leaves them a wide margin, so the tests stay
    /// steady on a busy CI machine while still catching a service that waits out a timeout or a long backoff.
    /// </summary>
    private static class Bound
    {
        /// <summary>
        /// The other consumer carries on; the killed one is back within its start-up time. A process start took up to
        /// 24 s on a machine at load 25, so the total leaves room for that; after the outage stays tight.
        /// </summary>
        public static readonly RecoveryBound ConsumerKilled = new(Total: TimeSpan.FromSeconds(45), AfterOutage: TimeSpan.FromSeconds(10));

        /// <summary>A JVM start, then every service's reconnect backoff (Broker__ReconnectMaxDelayMilliseconds, 10 s).</summary>
        public static readonly RecoveryBound BrokerRestarted = new(Total: TimeSpan.FromSeconds(60), AfterOutage: TimeSpan.FromSeconds(20));

        /// <summary>The API and the hub ride the outage out; a new browser and readiness wait for Redis to be back.</summary>
        public static readonly RecoveryBound RedisRestarted = new(Total: TimeSpan.FromSeconds(40), AfterOutage: TimeSpan.FromSeconds(10));

        /// <summary>
        /// While Redis is down the API and the hub move on: 3 s of reports within 10 s (the rest is slack for a busy
        /// machine). A consumer waiting out the Redis client's 5 s command timeout per batch of a fraction of a second's
        /// reports would not.
        /// </summary>
        public static readonly TimeSpan LiveWithoutRedis = TimeSpan.FromSeconds(10);

        /// <summary>How much newer the served reports must get within <see cref="LiveWithoutRedis"/>.</summary>
        public static readonly TimeSpan LiveAdvance = TimeSpan.FromSeconds(3);

        /// <summary>The pipeline does not notice; the API and the hub are back once the process is (its start-up time, as above).</summary>
        public static readonly RecoveryBound ApiGatewayKilled = new(Total: TimeSpan.FromSeconds(45), AfterOutage: TimeSpan.FromSeconds(10));
    }
}
