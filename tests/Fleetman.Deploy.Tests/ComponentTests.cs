namespace Fleetman.Deploy.Tests;

/// <summary>The opt-in parts, as the kustomize components and the chart's toggles render them.</summary>
public sealed class ComponentTests
{
    [Theory]
    [InlineData("k8s-component-network-policies")]
    [InlineData("helm-all-components")]
    public void Network_policies_deny_everything_then_allow_each_workload_its_flows(string render)
    {
        var policies = Renders.Of<V1NetworkPolicy>(render).ToList();
        var denyAll = policies.SingleOrDefault(policy => policy.Spec.PodSelector.MatchLabels is null or { Count: 0 } && policy.Spec.PodSelector.MatchExpressions is null or { Count: 0 });
        denyAll.ShouldNotBeNull($"{render}: no policy selects every pod");
        denyAll.Spec.PolicyTypes.ShouldBe(["Ingress", "Egress"], ignoreOrder: true);
        (denyAll.Spec.Ingress?.Count ?? 0).ShouldBe(0, "the default policy allows nothing in");

        foreach (var workload in Workload.In(render))
        {
            var labels = workload.Template.Metadata.Labels;
            policies.Where(policy => policy != denyAll && WorkloadPolicyTests.Selects(policy.Spec.PodSelector, labels))
                .ShouldNotBeEmpty($"{render}: {workload} is cut off by the default deny and allowed nothing");
        }

        // Name lookups are a flow too: without DNS every Service name fails.
        policies.ShouldContain(policy => (policy.Spec.Egress ?? new List<V1NetworkPolicyEgressRule>()).Any(rule => (rule.Ports ?? new List<V1NetworkPolicyPort>()).Any(port => port.Port != null && port.Port.Value == "53")),
            $"{render}: no policy allows DNS");
    }

    [Theory]
    [InlineData("k8s-component-monitoring")]
    [InlineData("helm-all-components")]
    public void Monitoring_scrapes_the_services_raises_the_documented_alerts_and_shows_the_dashboard(string render)
    {
        var files = Renders.Of<V1ConfigMap>(render).SelectMany(map => map.Data ?? new Dictionary<string, string>()).ToList();

        var rules = files.Where(file => file.Value.Contains("groups:", StringComparison.Ordinal))
            .Select(file => new DeserializerBuilder().Build().Deserialize<Dictionary<string, List<Dictionary<string, object>>>>(file.Value))
            .SelectMany(ruleFile => ruleFile["groups"])
            .SelectMany(group => (List<object>)group["rules"])
            .Cast<Dictionary<object, object>>()
            .Where(rule => rule.ContainsKey("alert"))
            .ToDictionary(rule => (string)rule["alert"], rule => (string)rule["expr"]);
        rules.Keys.ShouldBe(AlertRulesTests.Alerts, ignoreOrder: true);
        rules["FleetmanQueueDepthGrowing"].ShouldContain("fleetman_messaging_queue_depth");
        rules["FleetmanNoPositionsStored"].ShouldContain("fleetman_queueconsumer_positions_stored");
        rules["FleetmanPushLagHigh"].ShouldContain("fleetman_apigateway_hub_push_lag");

        files.ShouldContain(file => file.Value.Contains("kubernetes_sd_configs", StringComparison.Ordinal) && file.Value.Contains("prometheus.io/scrape", StringComparison.Ordinal)
            || file.Value.Contains("__meta_kubernetes_pod_annotation_prometheus_io_scrape", StringComparison.Ordinal), $"{render}: Prometheus does not discover pods by annotation");

        var dashboards = files.Select(file => file.Value).Where(text => text.TrimStart().StartsWith('{') && text.Contains("\"panels\"", StringComparison.Ordinal)).ToList();
        dashboards.ShouldNotBeEmpty($"{render}: no dashboard");
        var queries = string.Join("\n", dashboards.SelectMany(dashboard =>
        {
            using var json = JsonDocument.Parse(dashboard);
            return Expressions(json.RootElement).ToList();
        }));
        foreach (var metric in new[] { "fleetman_queueconsumer_positions_stored", "fleetman_messaging_queue_depth", "fleetman_apigateway_hub_push_lag", "kube_deployment_status_replicas" })
        {
            queries.ShouldContain(metric, Case.Sensitive, $"{render}: the dashboard shows nothing of {metric}");
        }

        Workload.In(render).Select(workload => workload.Name).ShouldContain("prometheus");
        Workload.In(render).Select(workload => workload.Name).ShouldContain("grafana");

        static IEnumerable<string> Expressions(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "expr" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        yield return property.Value.GetString()!;
                    }

                    foreach (var inner in Expressions(property.Value))
                    {
                        yield return inner;
                    }
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var inner in element.EnumerateArray().SelectMany(Expressions))
                {
                    yield return inner;
                }
            }
        }
    }

    [Theory]
    [InlineData("k8s-component-monitoring")]
    [InlineData("helm-all-components")]
    public void With_monitoring_the_broker_mongodb_and_redis_each_have_an_exporter_prometheus_finds(string render)
    {
        foreach (var (name, port) in new[] { ("activemq", 9404), ("mongodb", 9216), ("redis", 9121) })
        {
            var workload = Workload.In(render).Single(workload => workload.Name == name);
            var exporter = workload.Pod.Containers.SingleOrDefault(container => container.Name == $"{name}-exporter");
            exporter.ShouldNotBeNull($"{render}: {name} has no exporter beside it");
            exporter.Ports.Single().Name.ShouldBe("metrics");
            exporter.Ports.Single().ContainerPort.ShouldBe(port);
            workload.Template.Metadata.Annotations["prometheus.io/port"].ShouldBe(port.ToString(System.Globalization.CultureInfo.InvariantCulture), "the chart's own Prometheus finds it by the pod's annotations");
            exporter.SecurityContext.ReadOnlyRootFilesystem.ShouldBe(true);
            exporter.Resources.Limits.ShouldContainKey("memory");
        }
    }

    [Fact]
    public void Without_monitoring_no_exporter_runs()
    {
        Workload.In("helm-default").SelectMany(workload => workload.Pod.Containers).ShouldNotContain(container => container.Name.EndsWith("-exporter", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("k8s-component-logging")]
    [InlineData("helm-all-components")]
    public void Logging_ships_every_node_s_logs_to_elasticsearch_on_a_volume_and_kibana_shows_them(string render)
    {
        var workloads = Workload.In(render);

        workloads.ShouldContain(workload => workload.Kind == "DaemonSet", $"{render}: no log shipper on every node");
        var elasticsearch = Renders.Of<V1StatefulSet>(render).SingleOrDefault(set => set.Name() == "elasticsearch");
        elasticsearch.ShouldNotBeNull();
        elasticsearch.Spec.VolumeClaimTemplates.ShouldNotBeEmpty();
        workloads.ShouldContain(workload => workload.Name == "kibana");
    }

    [Theory]
    [InlineData("k8s-component-load-generator")]
    [InlineData("helm-all-components")]
    public void The_load_generator_plays_users_through_the_edge_whose_rate_limit_is_raised_for_it(string render)
    {
        var generator = Workload.In(render).Single(workload => workload.Name == "load-generator");
        var arguments = string.Join(" ", generator.Pod.Containers[0].Args ?? []);
        arguments.ShouldContain("--base-url http://gateway:8080");
        arguments.ShouldContain("--users");

        var gateway = Workload.In(render).Single(workload => workload.Name == "gateway").Pod.Containers[0];
        var maps = Renders.Of<V1ConfigMap>(render).ToDictionary(map => map.Name());
        var limit = (gateway.Env ?? []).Where(variable => variable.Name == "Gateway__ApiRateLimit__PermitsPerSecond").Select(variable => variable.Value)
            .Concat((gateway.EnvFrom ?? []).Where(source => source.ConfigMapRef is not null)
                .Select(source => maps[source.ConfigMapRef.Name].Data.TryGetValue("Gateway__ApiRateLimit__PermitsPerSecond", out var value) ? value : null))
            .LastOrDefault(value => value is not null);
        int.Parse(limit.ShouldNotBeNull(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(1000);
    }
}
