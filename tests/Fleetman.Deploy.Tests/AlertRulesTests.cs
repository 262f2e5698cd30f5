using YamlDotNet.RepresentationModel;

namespace Fleetman.Deploy.Tests;

/// <summary>
/// Fleetman's alert rules (k8s/components/monitoring/fleetman-alerts.yml, the one source of them) and Alertmanager's
/// routing, checked with Prometheus' and Alertmanager's own tools (Debian's prometheus and prometheus-alertmanager,
/// installed by scripts/test.sh): the rules load, every alert fires on the series its unit tests give and stays quiet
/// on the others, and every copy of the rules or the routing says the same as its source.
/// </summary>
public sealed class AlertRulesTests
{
    public static readonly string MonitoringFolder = Path.Combine(Repository.Root, "k8s", "components", "monitoring");
    public static readonly string RulesFile = Path.Combine(MonitoringFolder, "fleetman-alerts.yml");
    private static readonly string RuleTestsFile = Path.Combine(MonitoringFolder, "fleetman-alerts.test.yml");
    private static readonly string CourseRule = Path.Combine(Course.Root, "10-monitoring", "prometheusrule.yaml");
    private static readonly string ProductionStackValues = Path.Combine(Repository.Root, "helm", "kube-prometheus-stack-values.yaml");
    private static readonly string CourseStackValues = Path.Combine(Course.Root, "10-monitoring", "values", "monitoring-values.yaml");

    /// <summary>The alerts the system has; docs/monitoring.md has a runbook for each.</summary>
    public static readonly string[] Alerts =
    [
        "FleetmanNoPositionsStored", "FleetmanQueueDepthGrowing", "FleetmanMessagesDeadLettered", "FleetmanConsumerLagHigh",
        "FleetmanPushLagHigh", "FleetmanServiceNotReady", "FleetmanPodRestarting", "FleetmanMemoryNearLimit",
        "FleetmanMongoNoPrimary", "FleetmanRedisDown", "FleetmanTargetDown",
    ];

    [Fact]
    public void Promtool_loads_the_rules_and_finds_every_alert()
    {
        var result = ExternalTool.Run("promtool", ["check", "rules", RulesFile], Repository.Root);

        result.ExitCode.ShouldBe(0, result.Output);
        result.Output.ShouldContain($"SUCCESS: {Alerts.Length} rules found");
        RuleNames(Yaml(RulesFile)).ShouldBe(Alerts, ignoreOrder: true);
    }

    [Fact]
    public void Every_alert_passes_its_promtool_unit_tests()
    {
        var result = ExternalTool.Run("promtool", ["test", "rules", RuleTestsFile], MonitoringFolder);

        result.ExitCode.ShouldBe(0, result.Output);
        result.Output.ShouldContain("SUCCESS");
    }

    [Fact]
    public void Every_alert_has_a_unit_test_where_it_fires_and_one_where_it_stays_quiet()
    {
        var checks = ((List<object>)Yaml(RuleTestsFile)["tests"]).Cast<Dictionary<object, object>>()
            .SelectMany(test => ((List<object>)test["alert_rule_test"]).Cast<Dictionary<object, object>>())
            .Select(check => (Alert: (string)check["alertname"], Fires: check.TryGetValue("exp_alerts", out var expected) && expected is List<object> { Count: > 0 }))
            .ToList();

        foreach (var alert in Alerts)
        {
            checks.ShouldContain((alert, true), $"no unit test makes {alert} fire");
            checks.ShouldContain((alert, false), $"no unit test keeps {alert} quiet");
        }
    }

    [Fact]
    public void The_course_PrometheusRule_holds_the_groups_of_the_rules_file_word_for_word()
    {
        var rule = Yaml(CourseRule);
        rule["kind"].ShouldBe("PrometheusRule");

        Canonical(((Dictionary<object, object>)rule["spec"])["groups"]).ShouldBe(Canonical(Yaml(RulesFile)["groups"]),
            "k8s/course/10-monitoring/prometheusrule.yaml differs from k8s/components/monitoring/fleetman-alerts.yml: copy the groups over");
    }

    [Theory]
    [InlineData("helm/kube-prometheus-stack-values.yaml")]
    [InlineData("k8s/course/10-monitoring/values/monitoring-values.yaml")]
    public void Amtool_accepts_the_alertmanager_configuration_which_sends_to_slack_with_the_url_from_a_secret(string valuesFile)
    {
        var config = AlertmanagerConfig(Path.Combine(Repository.Root, valuesFile));
        var file = Path.Combine(Path.GetTempPath(), $"fleetman-alertmanager-{Guid.NewGuid():N}.yml");
        File.WriteAllText(file, AlertmanagerConfigText(Path.Combine(Repository.Root, valuesFile)));
        try
        {
            var result = ExternalTool.Run("amtool", ["check-config", file], Repository.Root);

            result.ExitCode.ShouldBe(0, result.Output);
            result.Output.ShouldContain("SUCCESS");
        }
        finally
        {
            File.Delete(file);
        }

        var slack = ((List<object>)config["receivers"]).Cast<Dictionary<object, object>>().Single(receiver => (string)receiver["name"] == "slack");
        var target = ((List<object>)slack["slack_configs"]).Cast<Dictionary<object, object>>().Single();
        target.ShouldNotContainKey("api_url", "the webhook URL is a secret: read it from a file (api_url_file) mounted from a Secret");
        ((string)target["api_url_file"]).ShouldStartWith("/etc/alertmanager/secrets/alertmanager-slack/");
        ((string)((Dictionary<object, object>)config["route"])["receiver"]).ShouldBe("slack");
    }

    [Fact]
    public void The_course_routes_alerts_as_production_does()
    {
        Canonical(AlertmanagerConfig(CourseStackValues)).ShouldBe(Canonical(AlertmanagerConfig(ProductionStackValues)),
            "alertmanager.config of the course's values differs from helm/kube-prometheus-stack-values.yaml: copy it over");
    }

    [Fact]
    public void Every_alert_has_a_runbook_in_the_monitoring_chapter()
    {
        var chapter = File.ReadAllText(Path.Combine(Repository.Root, "docs", "monitoring.md"));

        foreach (var alert in Alerts)
        {
            chapter.ShouldContain($"### {alert}\n", Case.Sensitive, $"docs/monitoring.md has no runbook for {alert}");
        }
    }

    /// <summary>alertmanager.config of a kube-prometheus-stack values file: a plain Alertmanager configuration.</summary>
    public static Dictionary<object, object> AlertmanagerConfig(string valuesFile) =>
        (Dictionary<object, object>)((Dictionary<object, object>)Yaml(valuesFile)["alertmanager"])["config"];

    /// <summary>
    /// The same as YAML text, written from the values file's own nodes: quoting and plain scalars stay as written (the
    /// receiver named "null" stays a name, send_resolved a boolean).
    /// </summary>
    public static string AlertmanagerConfigText(string valuesFile)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(valuesFile)));
        var alertmanager = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["alertmanager"];
        using var text = new StringWriter();
        new YamlStream(new YamlDocument(alertmanager["config"])).Save(text, assignAnchors: false);
        return text.ToString();
    }

    public static Dictionary<object, object> Yaml(string file) => new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(File.ReadAllText(file));

    public static IEnumerable<string> RuleNames(Dictionary<object, object> ruleFile) =>
        ((List<object>)ruleFile["groups"]).Cast<Dictionary<object, object>>()
            .SelectMany(group => ((List<object>)group["rules"]).Cast<Dictionary<object, object>>())
            .Select(rule => rule.TryGetValue("alert", out var name) ? (string)name : (string)rule["record"]);

    /// <summary>One text for equal YAML trees, whatever their layout, comments and order of keys.</summary>
    public static string Canonical(object tree) => new SerializerBuilder().JsonCompatible().Build().Serialize(Sorted(tree));

    private static object Sorted(object tree) => tree switch
    {
        Dictionary<object, object> map => map.OrderBy(pair => (string)pair.Key, StringComparer.Ordinal).ToDictionary(pair => pair.Key, pair => Sorted(pair.Value)),
        List<object> items => items.Select(Sorted).ToList(),
        _ => tree,
    };
}
