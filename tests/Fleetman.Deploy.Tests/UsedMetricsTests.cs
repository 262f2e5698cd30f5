namespace Fleetman.Deploy.Tests;

/// <summary>
/// Every metric an alert rule or a dashboard panel reads is one something exports: the list of them by exporter
/// (k8s/components/monitoring/exported-metrics.yml), whose scraped_here part the monitoring system test checks
/// against what Prometheus really scraped from the local run.
/// </summary>
public sealed partial class UsedMetricsTests
{
    private static readonly HashSet<string> NotMetrics =
    [
        "sum", "rate", "max", "min", "count", "avg", "histogram_quantile", "deriv", "increase", "changes", "vector", "clamp_min",
        "or", "and", "unless", "bool",
    ];

    [Fact]
    public void Every_metric_a_rule_or_a_panel_reads_is_exported_and_every_listed_metric_is_read()
    {
        var listed = Listed();
        var used = Expressions().SelectMany(MetricNames).ToHashSet();

        used.Except(listed).ShouldBeEmpty("metrics read by a rule or a panel that nothing exports (or that exported-metrics.yml does not list)");
        listed.Except(used).ShouldBeEmpty("metrics exported-metrics.yml lists that no rule or panel reads");
    }

    [Theory]
    [InlineData("sum by (job) (rate(fleetman_messaging_published{queue=\"a b\"}[1m])) or vector(0)", "fleetman_messaging_published")]
    [InlineData("max(a_x / on (pod) group_left () b_y) > 0.9", "a_x b_y")]
    public void Metric_names_are_read_from_an_expression_without_functions_labels_or_strings(string expression, string names)
    {
        MetricNames(expression).ShouldBe(names.Split(' '), ignoreOrder: true);
    }

    /// <summary>Every name the list holds, whatever its exporter.</summary>
    public static HashSet<string> Listed() =>
        [.. ((Dictionary<object, object>)AlertRulesTests.Yaml(Path.Combine(AlertRulesTests.MonitoringFolder, "exported-metrics.yml"))["scraped_here"])
            .Concat((Dictionary<object, object>)AlertRulesTests.Yaml(Path.Combine(AlertRulesTests.MonitoringFolder, "exported-metrics.yml"))["not_scraped_here"])
            .SelectMany(exporter => ((List<object>)exporter.Value).Cast<string>())];

    private static IEnumerable<string> Expressions()
    {
        var rules = AlertRulesTests.Yaml(AlertRulesTests.RulesFile);
        foreach (var group in ((List<object>)rules["groups"]).Cast<Dictionary<object, object>>())
        {
            foreach (var rule in ((List<object>)group["rules"]).Cast<Dictionary<object, object>>())
            {
                yield return (string)rule["expr"];
            }
        }

        foreach (var file in Directory.GetFiles(AlertRulesTests.MonitoringFolder, "*dashboard.json"))
        {
            using var dashboard = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
            {
                foreach (var target in panel.GetProperty("targets").EnumerateArray())
                {
                    yield return target.GetProperty("expr").GetString()!;
                }
            }
        }
    }

    /// <summary>The metric names of a PromQL expression: what is left once strings, label matchers, ranges, grouping clauses, functions and operators are gone.</summary>
    private static IEnumerable<string> MetricNames(string expression)
    {
        var bare = Grouping().Replace(Range().Replace(Matchers().Replace(Strings().Replace(expression, ""), ""), ""), "");
        return Identifier().Matches(bare).Select(match => match.Value).Where(name => !NotMetrics.Contains(name)).Distinct();
    }

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Range();

    [GeneratedRegex(@"\b(by|on|without|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}
