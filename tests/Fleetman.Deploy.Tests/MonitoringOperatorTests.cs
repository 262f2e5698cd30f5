using System.Text.Json;
using Fleetman.Testing;
using k8s.Models;

namespace Fleetman.Deploy.Tests;

/// <summary>
/// The chart's objects for a cluster's kube-prometheus-stack (monitoring.operator.enabled, in the helm-all-components
/// render): PodMonitors that find every Fleetman service on a port it has, the alert rules as they are in their one
/// file, and every dashboard as a ConfigMap the stack's Grafana loads.
/// </summary>
public sealed class MonitoringOperatorTests
{
    private const string Render = "helm-all-components";

    /// <summary>
    /// The fields the Prometheus operator's CRDs define (monitoring.coreos.com/v1) for what the chart writes; the
    /// client's models do not know these kinds, so a misspelt field is caught here instead of by the API server.
    /// </summary>
    private static readonly Dictionary<string, string[]> Fields = new()
    {
        ["PodMonitor.spec"] = ["jobLabel", "podTargetLabels", "podMetricsEndpoints", "selector", "namespaceSelector", "sampleLimit", "targetLimit", "attachMetadata", "scrapeClass"],
        ["PodMonitor.spec.podMetricsEndpoints"] = ["port", "portNumber", "path", "scheme", "params", "interval", "scrapeTimeout", "honorLabels", "honorTimestamps", "metricRelabelings", "relabelings", "filterRunning"],
        ["PodMonitor.spec.podMetricsEndpoints.relabelings"] = ["sourceLabels", "separator", "targetLabel", "regex", "modulus", "replacement", "action"],
        ["PrometheusRule.spec"] = ["groups"],
        ["PrometheusRule.spec.groups"] = ["name", "interval", "rules", "limit", "partial_response_strategy", "query_offset", "labels"],
        ["PrometheusRule.spec.groups.rules"] = ["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"],
    };

    [Fact]
    public void The_operator_s_objects_use_only_fields_their_definitions_have()
    {
        var resources = Renders.Load(Render).Where(manifest => manifest.Group == "monitoring.coreos.com").ToList();

        resources.Select(resource => resource.ToString()).ShouldBe(["PodMonitor/fleetman", "PodMonitor/fleetman-exporters", "PrometheusRule/fleetman-alerts"], ignoreOrder: true);
        foreach (var resource in resources)
        {
            resource.ApiVersion.ShouldBe("monitoring.coreos.com/v1");
            Check(resource.Raw["spec"], $"{resource.Kind}.spec", resource.ToString());
        }

        static void Check(object node, string path, string where)
        {
            switch (node)
            {
                case List<object> items:
                    items.ForEach(item => Check(item, path, where));
                    break;
                case Dictionary<object, object> map when Fields.TryGetValue(path, out var known):
                    foreach (var (key, value) in map)
                    {
                        known.ShouldContain((string)key, $"{where}: {path}.{key} is not a field of the CRD");
                        Check(value, $"{path}.{key}", where);
                    }

                    break;
            }
        }
    }

    [Theory]
    [InlineData("fleetman", "gateway position-simulator position-tracker api-gateway queue-consumer")]
    [InlineData("fleetman-exporters", "activemq mongodb redis")]
    public void A_pod_monitor_selects_its_workloads_on_a_container_port_they_have(string name, string workloads)
    {
        var monitor = Renders.Load(Render).Single(manifest => manifest.Kind == "PodMonitor" && manifest.Name == name);
        var spec = (Dictionary<object, object>)monitor.Raw["spec"];
        var selector = Selector((Dictionary<object, object>)spec["selector"]);
        var ports = ((List<object>)spec["podMetricsEndpoints"]).Cast<Dictionary<object, object>>().Select(endpoint => (string)endpoint["port"]).ToList();

        var selected = Workload.In(Render).Where(workload => Matches(selector, workload.Template.Metadata.Labels)).ToList();

        selected.Select(workload => workload.Name).ShouldBe(workloads.Split(' '), ignoreOrder: true);
        foreach (var workload in selected)
        {
            var named = workload.Pod.Containers.SelectMany(container => container.Ports ?? []).Select(port => port.Name).ToList();
            ports.ShouldAllBe(port => named.Contains(port), $"{workload} has no container port {string.Join(", ", ports)}");
        }
    }

    [Fact]
    public void The_prometheus_rule_is_the_rules_file()
    {
        var rule = Renders.Load(Render).Single(manifest => manifest.Kind == "PrometheusRule");

        AlertRulesTests.Canonical(((Dictionary<object, object>)rule.Raw["spec"])["groups"])
            .ShouldBe(AlertRulesTests.Canonical(AlertRulesTests.Yaml(AlertRulesTests.RulesFile)["groups"]));
    }

    [Fact]
    public void Every_dashboard_is_a_config_map_grafana_s_sidecar_loads_with_the_data_source_chosen_in_grafana()
    {
        var maps = Renders.Of<V1ConfigMap>(Render).Where(map => map.Labels() is { } labels && labels.TryGetValue("grafana_dashboard", out var value) && value == "1").ToList();
        var dashboards = Directory.GetFiles(AlertRulesTests.MonitoringFolder, "*dashboard.json").Select(Path.GetFileName).ToList();

        dashboards.Count.ShouldBe(4, "overview, broker, MongoDB, Redis");
        maps.SelectMany(map => map.Data.Keys).ShouldBe(dashboards, ignoreOrder: true);
        foreach (var map in maps)
        {
            var (file, text) = (map.Data.Single().Key, map.Data.Single().Value);
            text.ShouldBe(File.ReadAllText(Path.Combine(AlertRulesTests.MonitoringFolder, file)).TrimEnd('\n'));
            using var json = JsonDocument.Parse(text);
            json.RootElement.GetProperty("uid").GetString().ShouldStartWith("fleetman-");
            // The stack names its data source "Prometheus" with uid prometheus, the monitoring component uid
            // fleetman-prometheus: a variable lets the one file work with either.
            text.ShouldNotContain("fleetman-prometheus");
            json.RootElement.GetProperty("templating").GetProperty("list")[0].GetProperty("type").GetString().ShouldBe("datasource");
        }
    }

    /// <summary>A label selector with matchLabels and In expressions, as the PodMonitor writes it.</summary>
    private static bool Matches(V1LabelSelector selector, IDictionary<string, string>? labels) =>
        labels is not null
        && (selector.MatchLabels ?? new Dictionary<string, string>()).All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value)
        && (selector.MatchExpressions ?? []).All(expression => expression.OperatorProperty == "In"
            ? labels.TryGetValue(expression.Key, out var value) && expression.Values.Contains(value)
            : throw new NotSupportedException($"operator {expression.OperatorProperty}"));

    private static V1LabelSelector Selector(Dictionary<object, object> raw) => new()
    {
        MatchLabels = raw.TryGetValue("matchLabels", out var labels)
            ? ((Dictionary<object, object>)labels).ToDictionary(pair => (string)pair.Key, pair => (string)pair.Value)
            : null,
        MatchExpressions = raw.TryGetValue("matchExpressions", out var expressions)
            ? [.. ((List<object>)expressions).Cast<Dictionary<object, object>>().Select(expression => new V1LabelSelectorRequirement
            {
                Key = (string)expression["key"],
                OperatorProperty = (string)expression["operator"],
                Values = [.. ((List<object>)expression["values"]).Cast<string>()],
            })]
            : null,
    };
}
