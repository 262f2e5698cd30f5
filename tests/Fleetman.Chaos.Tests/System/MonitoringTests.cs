namespace Fleetman.Chaos.Tests.System;

/// <summary>
/// The monitoring, proven on the local run: the services as processes on a private broker and Redis, scraped on their
/// management ports by a real Prometheus with the project's rules, alerts routed by a real Alertmanager with the
/// production routing to a Slack stand-in (<see cref="LocalMonitoring"/>).
/// </summary>
public sealed partial class MonitoringTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string Overview = Path.Combine(Repository.Root, "k8s", "components", "monitoring", "fleetman-dashboard.json");

    [Fact]
    public async Task Every_overview_panel_has_data_and_a_stopped_consumer_raises_the_pipeline_alerts_in_slack_until_it_is_back()
    {
        var clock = global::System.Diagnostics.Stopwatch.StartNew();
        await using var broker = BrokerInstance.Private();
        await using var run = await IsolatedRun.StartAsync(broker);
        var services = new List<ServiceProcess>();
        try
        {
            var targets = new Dictionary<string, string[]>();
            async Task<ServiceProcess> StartAsync(string job, string assembly, Dictionary<string, string?>? extra = null)
            {
                var management = BrokerInstance.FreePort();
                var settings = new Dictionary<string, string?>(extra ?? [])
                {
                    ["Management__Port"] = management.ToString(CultureInfo.InvariantCulture),
                    // The production queue's name: the rules and dashboards select queue="positionQueue". The broker is
                    // this test's own, so nobody else uses it.
                    ["Messaging__Destinations__PositionReported"] = "positionQueue",
                    ["QueueDepth__PollIntervalSeconds"] = "1",
                };
                var service = await ServiceProcess.StartAsync(job, assembly, run.Environment(settings), Patience);
                lock (services)
                {
                    services.Add(service);
                    targets[job] = [$"127.0.0.1:{management}"];
                }

                return service;
            }

            // Side by side where nothing waits for another: on a shared machine each start takes seconds.
            var starting = StartAsync("queue-consumer", "Fleetman.QueueConsumer");
            var tracker = await StartAsync("position-tracker", "Fleetman.PositionTracker");
            var gatewayStarting = StartAsync("api-gateway", "Fleetman.ApiGateway", new() { ["Tracker__BaseAddress"] = tracker.Http.BaseAddress!.ToString() });
            // 100 reports a second: once the consumer stops, the queue passes FleetmanQueueDepthGrowing's 1,000 within
            // 10 s, before "no position stored" can fire (its 15 s range here, then its 5 s for:), so the test waits
            // no longer than with more; every report more is work for the broker and every service for the test's
            // whole length, minutes on a busy machine (docs/testing.md, "The chaos and browser tests' CPU").
            var simulatorStarting = StartAsync("position-simulator", "Fleetman.PositionSimulator", new()
            {
                ["Simulator__Vehicles"] = "50",
                ["Simulator__ReportIntervalMilliseconds"] = "500",
            });
            var consumer = await starting;
            var gateway = await gatewayStarting;
            await simulatorStarting;
            // A browser on the live map: the push lag is measured on its frames.
            await using var browser = new LiveClient(gateway.Http.BaseAddress!);
            using (var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await browser.StartAsync(connecting.Token);
            }

            await using var monitoring = await LocalMonitoring.StartAsync(targets, run.RedisConnectionString);
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:F0} s] services and monitoring up; Prometheus at {monitoring.Prometheus}");

            // Two unusable reports, one after the other: each goes to DLQ.positionQueue, and the second one is the
            // increase the dead-letter alert looks for (a counter's first sample has nothing to increase from).
            await using var producer = await broker.ConnectAsync();
            await producer.SendRawAsync("positionQueue", """{"vehicle":"Van","lat":95}""");
            await Eventually.Until(async () => (await monitoring.QueryAsync("fleetman_messaging_dead_lettered")).Length > 0, Patience,
                () => Task.FromResult("the first dead letter was not counted"));
            await producer.SendRawAsync("positionQueue", """{"vehicle":"Van","lat":95}""");

            // Every panel of the overview dashboard has data, except the figures only Kubernetes' own exporters give
            // (kube-state-metrics, the kubelet's cAdvisor), which do not run here.
            var queries = PanelQueries().ToList();
            var local = queries.Where(query => !KubernetesMetric().IsMatch(query.Expression)).ToList();
            queries.Except(local).Select(query => query.Panel).ShouldBe(["Replicas per service", "Replicas per service", "Ready replicas", "Ready replicas", "Ready replicas", "Restarts (15 min)", "Memory against limits", "Memory against limits"]);
            foreach (var (panel, expression) in local)
            {
                await Eventually.Until(async () => (await monitoring.QueryAsync(expression)).Length > 0, Patience,
                    () => Task.FromResult($"panel \"{panel}\": {expression} returns nothing"));
            }

            // The pipeline stops: the simulator goes on publishing, nothing is stored, the queue grows.
            // Every metric the rules and dashboards read that the local run exports is really scraped.
            var names = await monitoring.MetricNamesAsync();
            ScrapedHere().Where(name => !names.Contains(name)).ShouldBeEmpty("listed under scraped_here in exported-metrics.yml but not scraped");
            await Eventually.Until(async () => (await monitoring.FiringAsync()).Contains("FleetmanMessagesDeadLettered"), Patience,
                async () => $"firing: {string.Join(", ", await monitoring.FiringAsync())}");
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:F0} s] every panel has data; stopping the queue-consumer");
            // Only what Slack is sent from here on counts for the pipeline alerts: a stall of a busy machine earlier
            // (the rule's range is short here) cannot pass for them.
            var sentBeforeStop = monitoring.Slack.Count;
            await consumer.StopAsync();
            string[] pipeline = ["FleetmanNoPositionsStored", "FleetmanQueueDepthGrowing"];
            // "Not stored" looks at the rate over its range (15 s here, LocalMonitoring), which holds the consumer's last
            // samples for that long, then waits its for: (5 s).
            await Eventually.Until(async () => pipeline.All((await monitoring.FiringAsync()).Contains), TimeSpan.FromSeconds(120),
                async () => $"firing: {string.Join(", ", await monitoring.FiringAsync())}; positionQueue {Json(await monitoring.QueryAsync("max(fleetman_messaging_queue_depth)"))}");
            await Eventually.Until(
                () => pipeline.All(alert => monitoring.SlackTitles(sentBeforeStop).Contains($"[FIRING] {alert}"))
                    && monitoring.SlackTitles().Contains("[FIRING] FleetmanMessagesDeadLettered"), Patience,
                () => $"Slack got: {string.Join(" | ", monitoring.SlackTitles())} ({sentBeforeStop} messages before the stop)");
            var firing = monitoring.Slack.Skip(sentBeforeStop).SelectMany(message => message.GetProperty("attachments").EnumerateArray())
                .First(attachment => attachment.GetProperty("title").GetString() == "[FIRING] FleetmanNoPositionsStored");
            firing.GetProperty("text").GetString()!.ShouldContain("*critical*: No position stored for a minute while the simulator publishes");

            output.WriteLine($"[{clock.Elapsed.TotalSeconds:F0} s] both alerts in Slack; starting the queue-consumer again");

            // Back: positions are stored again and the backlog drains; both alerts resolve, and Slack is told.
            var sentBeforeStart = monitoring.Slack.Count;
            await consumer.StartAsync(Patience);
            await Eventually.Until(() => pipeline.All(alert => monitoring.SlackTitles(sentBeforeStart).Contains($"[RESOLVED] {alert}")), TimeSpan.FromSeconds(90),
                () => $"Slack got: {string.Join(" | ", monitoring.SlackTitles())} ({sentBeforeStart} messages before the start)");
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:F0} s] both resolved in Slack");
        }
        finally
        {
            foreach (var service in Enumerable.Reverse(services))
            {
                await service.DisposeAsync();
            }
        }
    }

    private static IEnumerable<(string Panel, string Expression)> PanelQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Overview));
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                yield return (panel.GetProperty("title").GetString()!, target.GetProperty("expr").GetString()!);
            }
        }
    }

    /// <summary>The names exported-metrics.yml says the local run exports.</summary>
    private static IEnumerable<string> ScrapedHere()
    {
        var list = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, Dictionary<string, List<string>>>>(
            File.ReadAllText(Path.Combine(Repository.Root, "k8s", "components", "monitoring", "exported-metrics.yml")));
        return list["scraped_here"].Values.SelectMany(names => names);
    }

    private static string Json(JsonElement[] result) => string.Join(", ", result.Select(series => series.GetProperty("value")[1].GetString()));

    [GeneratedRegex(@"\b(kube|container)_[a-z_]+")]
    private static partial Regex KubernetesMetric();
}
