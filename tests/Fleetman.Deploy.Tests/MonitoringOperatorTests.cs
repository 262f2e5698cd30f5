namespace Fleetman.Deploy.Tests;

/// <summary>
/// Fleetman's objects for a cluster's kube-prometheus-stack, from the chart (monitoring.operator, in the
/// helm-all-components render) and the monitoring-operator kustomize component: PodMonitors that find every Fleetman
/// service on a port it has, the alert rules as they are in their one file, every dashboard as a ConfigMap the stack's
/// Grafana loads, and the AlertmanagerConfig to Slack; the same objects either way.
/// </summary>
public sealed class MonitoringOperatorTests
{
    private const string Helm = "helm-all-components";
    private const string Kustomize = "k8s-component-monitoring-operator";

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
        ["AlertmanagerConfig.spec"] = ["route", "receivers", "inhibitRules", "timeIntervals", "muteTimeIntervals"],
        ["AlertmanagerConfig.spec.route"] = ["receiver", "groupBy", "groupWait", "groupInterval", "repeatInterval", "matchers", "continue", "routes", "muteTimeIntervals", "activeTimeIntervals"],
        ["AlertmanagerConfig.spec.route.matchers"] = ["name", "value", "matchType", "regex"],
        ["AlertmanagerConfig.spec.receivers"] = ["name", "slackConfigs", "webhookConfigs", "emailConfigs", "pagerdutyConfigs", "opsgenieConfigs", "victoropsConfigs", "pushoverConfigs", "wechatConfigs", "telegramConfigs", "snsConfigs", "webexConfigs", "msteamsConfigs"],
        ["AlertmanagerConfig.spec.receivers.slackConfigs"] = ["apiURL", "channel", "username", "color", "title", "titleLink", "pretext", "text", "fields", "shortFields", "footer", "fallback", "callbackId", "iconEmoji", "iconURL", "imageURL", "thumbURL", "linkNames", "mrkdwnIn", "actions", "sendResolved", "httpConfig"],
        ["AlertmanagerConfig.spec.receivers.slackConfigs.apiURL"] = ["name", "key", "optional"],
    };

    private static readonly Dictionary<string, string> ApiVersions = new()
    {
        ["PodMonitor"] = "monitoring.coreos.com/v1",
        ["PrometheusRule"] = "monitoring.coreos.com/v1",
        ["AlertmanagerConfig"] = "monitoring.coreos.com/v1alpha1",
    };

    public static TheoryData<string> Both() => new() { Helm, Kustomize };

    [Theory]
    [MemberData(nameof(Both))]
    public void The_operator_s_objects_use_only_fields_their_definitions_have(string render)
    {
        var resources = Renders.Load(render).Where(manifest => manifest.Group == "monitoring.coreos.com").ToList();

        resources.Select(resource => resource.ToString()).ShouldBe(
            ["PodMonitor/fleetman", "PodMonitor/fleetman-exporters", "PrometheusRule/fleetman-alerts", "AlertmanagerConfig/fleetman-slack"], ignoreOrder: true);
        foreach (var resource in resources)
        {
            resource.ApiVersion.ShouldBe(ApiVersions[resource.Kind]);
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
    [InlineData(Helm, "fleetman", "gateway position-simulator position-tracker api-gateway queue-consumer")]
    [InlineData(Helm, "fleetman-exporters", "activemq mongodb redis")]
    [InlineData(Kustomize, "fleetman", "gateway position-simulator position-tracker api-gateway queue-consumer")]
    [InlineData(Kustomize, "fleetman-exporters", "activemq mongodb redis")]
    public void A_pod_monitor_selects_its_workloads_on_a_container_port_they_have(string render, string name, string workloads)
    {
        var monitor = Renders.Load(render).Single(manifest => manifest.Kind == "PodMonitor" && manifest.Name == name);
        var spec = (Dictionary<object, object>)monitor.Raw["spec"];
        var selector = Selector((Dictionary<object, object>)spec["selector"]);
        var ports = ((List<object>)spec["podMetricsEndpoints"]).Cast<Dictionary<object, object>>().Select(endpoint => (string)endpoint["port"]).ToList();

        var selected = Workload.In(render).Where(workload => Matches(selector, workload.Template.Metadata.Labels)).ToList();

        selected.Select(workload => workload.Name).ShouldBe(workloads.Split(' '), ignoreOrder: true);
        foreach (var workload in selected)
        {
            var named = workload.Pod.Containers.SelectMany(container => container.Ports ?? []).Select(port => port.Name).ToList();
            ports.ShouldAllBe(port => named.Contains(port), $"{workload} has no container port {string.Join(", ", ports)}");
        }
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void The_prometheus_rule_is_the_rules_file(string render)
    {
        var rule = Renders.Load(render).Single(manifest => manifest.Kind == "PrometheusRule");

        AlertRulesTests.Canonical(((Dictionary<object, object>)rule.Raw["spec"])["groups"])
            .ShouldBe(AlertRulesTests.Canonical(AlertRulesTests.Yaml(AlertRulesTests.RulesFile)["groups"]));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Every_dashboard_is_a_config_map_grafana_s_sidecar_loads_with_the_data_source_chosen_in_grafana(string render)
    {
        // The label and value the stack's Grafana sidecar looks for, as its values set them.
        var sidecar = At(StackValues(), "grafana", "sidecar", "dashboards");
        var (label, labelValue) = ((string)sidecar["label"], (string)sidecar["labelValue"]);
        var maps = Renders.Of<V1ConfigMap>(render).Where(map => map.Labels() is { } labels && labels.TryGetValue(label, out var value) && value == labelValue).ToList();
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

    [Theory]
    [MemberData(nameof(Both))]
    public void The_alertmanager_config_posts_fleetman_s_alerts_to_slack_as_the_stack_s_values_do_with_the_webhook_from_a_secret(string render)
    {
        var spec = (Dictionary<object, object>)Renders.Load(render).Single(manifest => manifest.Kind == "AlertmanagerConfig").Raw["spec"];
        var slack = Only(Map(Only(spec["receivers"]))["slackConfigs"]);
        var stackReceivers = ((List<object>)At(StackValues(), "alertmanager", "config")["receivers"]).Cast<Dictionary<object, object>>();
        var stackSlack = Only(stackReceivers.Single(receiver => (string)receiver["name"] == "slack")["slack_configs"]);

        var secret = Map(slack["apiURL"]);
        (secret["name"], secret["key"]).ShouldBe(("alertmanager-slack", "url"));
        slack["title"].ShouldBe(stackSlack["title"]);
        slack["text"].ShouldBe(stackSlack["text"]);
        slack["sendResolved"].ShouldBe("true");
        var matcher = Only(Map(spec["route"])["matchers"]);
        var pattern = new global::System.Text.RegularExpressions.Regex($"^(?:{matcher["value"]})$");
        matcher["matchType"].ShouldBe("=~");
        AlertRulesTests.Alerts.ShouldAllBe(alert => pattern.IsMatch(alert), "the route takes every Fleetman alert");
        pattern.IsMatch("KubePodCrashLooping").ShouldBeFalse("the route takes the cluster's other alerts");

        // Those alerts carry no namespace label: the stack must not add a namespace matcher to the route.
        At(StackValues(), "alertmanager", "alertmanagerSpec", "alertmanagerConfigMatcherStrategy")["type"].ShouldBe("None");
    }

    [Fact]
    public void Helm_and_kustomize_give_the_stack_the_same_objects()
    {
        Describe(Helm).ShouldBe(Describe(Kustomize));

        static List<string> Describe(string render) =>
        [
            .. Renders.Load(render)
                .Where(manifest => manifest.Group == "monitoring.coreos.com" || manifest.Model is V1ConfigMap map && (map.Labels()?.ContainsKey("grafana_dashboard") ?? false))
                .Select(manifest => $"{manifest.Kind}/{manifest.Name} {Content(manifest)}")
                .Order(StringComparer.Ordinal),
        ];

        static string Content(Manifest manifest) => manifest.Kind switch
        {
            "PodMonitor" => PodMonitor((Dictionary<object, object>)manifest.Raw["spec"]),
            "ConfigMap" => string.Join(",", ((V1ConfigMap)manifest.Model!).Data.Keys),
            "PrometheusRule" => AlertRulesTests.Canonical(((Dictionary<object, object>)manifest.Raw["spec"])["groups"]),
            _ => AlertRulesTests.Canonical(manifest.Raw["spec"]),
        };

        // Which pods by name (the chart also selects its release's instance label, which kustomize has no need of),
        // on which port and path, with which job.
        static string PodMonitor(Dictionary<object, object> spec)
        {
            var selector = Selector((Dictionary<object, object>)spec["selector"]);
            var names = selector.MatchExpressions.Single(expression => expression.Key == "app.kubernetes.io/name");
            return $"{names.OperatorProperty} [{string.Join(",", names.Values.Order(StringComparer.Ordinal))}] " +
                AlertRulesTests.Canonical(spec["podMetricsEndpoints"]);
        }
    }

    private static Dictionary<object, object> StackValues() =>
        AlertRulesTests.Yaml(Path.Combine(Repository.Root, "helm", "kube-prometheus-stack-values.yaml"));

    private static Dictionary<object, object> Map(object node) => (Dictionary<object, object>)node;

    /// <summary>The one map of a list that must hold exactly one.</summary>
    private static Dictionary<object, object> Only(object list) => Map(((List<object>)list).Single());

    private static Dictionary<object, object> At(Dictionary<object, object> tree, params string[] path) =>
        path.Aggregate(tree, (node, key) => Map(node[key]));

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
