namespace Fleetman.Deploy.Tests;

/// <summary>
/// Behind the network policies, the Prometheus of a cluster's kube-prometheus-stack, in its own namespace, reaches
/// every port its PodMonitors scrape, and the policies that admit it open no other port.
/// </summary>
public sealed class StackScrapePolicyTests
{
    /// <summary>The namespace the course and docs/monitoring.md install the stack in, with the label Kubernetes gives it.</summary>
    private static readonly Dictionary<string, string> StackNamespace = new() { ["kubernetes.io/metadata.name"] = "monitoring" };

    /// <summary>The labels the Prometheus operator gives the pods of the stack's Prometheus (release "monitoring").</summary>
    private static readonly Dictionary<string, string> StackPrometheus = new()
    {
        ["app.kubernetes.io/name"] = "prometheus",
        ["app.kubernetes.io/instance"] = "monitoring-kube-prometheus-prometheus",
        ["app.kubernetes.io/managed-by"] = "prometheus-operator",
        ["operator.prometheus.io/name"] = "monitoring-kube-prometheus-prometheus",
        ["prometheus"] = "monitoring-kube-prometheus-prometheus",
    };

    [Theory]
    [InlineData("helm-all-components")]
    [InlineData("helm-operator-network-policies")]
    [InlineData("k8s-component-monitoring-operator-network-policies")]
    public void The_stack_s_prometheus_reaches_every_scrape_target_from_its_namespace_and_nothing_else(string render)
    {
        var workloads = Workload.In(render);
        var policies = Renders.Of<V1NetworkPolicy>(render).Where(policy => policy.Spec.PolicyTypes?.Contains("Ingress") ?? true).ToList();
        var targets = ScrapeTargets(render, workloads);
        targets.Select(target => target.Workload).Distinct().ShouldBe(
            ["gateway", "position-simulator", "position-tracker", "api-gateway", "queue-consumer", "activemq", "mongodb", "redis"], ignoreOrder: true);

        var problems = new List<string>();
        foreach (var workload in workloads)
        {
            var labels = workload.Template.Metadata.Labels;
            var admitted = policies.Where(policy => Matches(policy.Spec.PodSelector, labels))
                .SelectMany(policy => policy.Spec.Ingress ?? [])
                .Where(rule => (rule.FromProperty ?? []).Any(AdmitsTheStack))
                .SelectMany(rule => rule.Ports is { Count: > 0 } ports
                    ? ports.Select(port => ContainerPort(workload, port.Port.Value))
                    : ContainerPorts(workload).Select(port => (int?)port.ContainerPort))
                .OfType<int>()
                .Where(port => ContainerPorts(workload).Any(declared => declared.ContainerPort == port))
                .ToHashSet();
            var scraped = targets.Where(target => target.Workload == workload.Name).Select(target => target.Port).ToHashSet();

            problems.AddRange(scraped.Except(admitted).Select(port => $"{render}: {workload} is scraped on {port}, which the stack's Prometheus may not reach"));
            problems.AddRange(admitted.Except(scraped).Select(port => $"{render}: {workload} lets the stack's Prometheus reach {port}, which it does not scrape"));
        }

        problems.ShouldHaveNone($"{render}: the stack's scraping and the network policies");
    }

    /// <summary>Each (workload, container port) a PodMonitor of the render scrapes.</summary>
    private static List<(string Workload, int Port)> ScrapeTargets(string render, IReadOnlyList<Workload> workloads)
    {
        var targets = new List<(string, int)>();
        foreach (var monitor in Renders.Load(render).Where(manifest => manifest.Kind == "PodMonitor"))
        {
            var spec = (Dictionary<object, object>)monitor.Raw["spec"];
            var selector = (Dictionary<object, object>)spec["selector"];
            var names = ((List<object>)((Dictionary<object, object>)((List<object>)selector["matchExpressions"]).Single())["values"]).Cast<string>().ToList();
            foreach (var workload in workloads.Where(workload => names.Contains(workload.Template.Metadata.Labels["app.kubernetes.io/name"])))
            {
                foreach (var endpoint in ((List<object>)spec["podMetricsEndpoints"]).Cast<Dictionary<object, object>>())
                {
                    var port = ContainerPort(workload, (string)endpoint["port"]);
                    port.ShouldNotBeNull($"{render}: PodMonitor {monitor.Name} scrapes {workload} on port {endpoint["port"]}, which it has not");
                    targets.Add((workload.Name, port.Value));
                }
            }
        }

        return targets;
    }

    private static IEnumerable<V1ContainerPort> ContainerPorts(Workload workload) => workload.Pod.Containers.SelectMany(container => container.Ports ?? []);

    /// <summary>A port given by number or by a container port's name, as its number; null when the pod has no port of that name.</summary>
    private static int? ContainerPort(Workload workload, string port) =>
        int.TryParse(port, CultureInfo.InvariantCulture, out var number) ? number : ContainerPorts(workload).FirstOrDefault(declared => declared.Name == port)?.ContainerPort;

    /// <summary>A peer in another namespace that selects the monitoring namespace and the stack's Prometheus pods.</summary>
    private static bool AdmitsTheStack(V1NetworkPolicyPeer peer) =>
        peer.NamespaceSelector is not null && Matches(peer.NamespaceSelector, StackNamespace)
        && (peer.PodSelector is null || Matches(peer.PodSelector, StackPrometheus));

    /// <summary>A label selector's meaning: every matchLabels pair and every expression hold (an empty selector selects all).</summary>
    private static bool Matches(V1LabelSelector selector, IDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        return (selector.MatchLabels ?? new Dictionary<string, string>()).All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value)
            && (selector.MatchExpressions ?? []).All(expression => expression.OperatorProperty switch
            {
                "In" => labels.TryGetValue(expression.Key, out var value) && expression.Values.Contains(value),
                "NotIn" => !labels.TryGetValue(expression.Key, out var value) || !expression.Values.Contains(value),
                "Exists" => labels.ContainsKey(expression.Key),
                "DoesNotExist" => !labels.ContainsKey(expression.Key),
                _ => throw new NotSupportedException($"operator {expression.OperatorProperty}"),
            });
    }
}
