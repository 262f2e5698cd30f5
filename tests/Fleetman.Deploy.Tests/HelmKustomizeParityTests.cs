namespace Fleetman.Deploy.Tests;

/// <summary>The Helm chart and the kustomize manifests deploy the same system: same names, ports, probes, settings.</summary>
public sealed class HelmKustomizeParityTests
{
    private static readonly string[] Core =
        ["position-simulator", "queue-consumer", "position-tracker", "api-gateway", "gateway", "webapp", "activemq", "mongodb", "redis"];

    private static readonly (string Helm, string Kustomize)[] Pairs =
    [
        ("helm-default", "k8s-base"),
        ("helm-minikube", "k8s-minikube"),
        ("helm-eks", "k8s-eks"),
    ];

    /// <summary>What the two must deploy alike, each a list of lines to compare, by what it describes.</summary>
    private static readonly Dictionary<string, Func<string, List<string>>> Aspects = new()
    {
        ["workloads' kinds, containers, ports and probes"] = Describe,
        ["services' names, types and ports"] = Services,
        ["the environment variables project services read"] = Environment,
        ["each workload's app label and priority class"] = Labelled,
        ["the priority classes they define"] = PriorityClasses,
    };

    public static TheoryData<string, string, string> PairsAndAspects()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (helm, kustomize) in Pairs)
        {
            foreach (var aspect in Aspects.Keys)
            {
                data.Add(helm, kustomize, aspect);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PairsAndAspects))]
    public void The_chart_and_its_kustomize_overlay_deploy_the_same(string helm, string kustomize, string aspect)
    {
        var describe = Aspects[aspect];
        describe(helm).ShouldBe(describe(kustomize), $"{helm} and {kustomize} differ in {aspect}");
    }

    [Theory]
    [InlineData("helm-minikube")]
    [InlineData("k8s-minikube")]
    public void Minikube_exposes_the_map_the_queue_console_and_the_api_on_the_original_node_ports(string render)
    {
        var nodePorts = Renders.Of<V1Service>(render)
            .Where(service => service.Spec.Type == "NodePort")
            .SelectMany(service => service.Spec.Ports.Where(port => port.NodePort is not null).Select(port => (service.Name(), port.NodePort!.Value)))
            .ToList();

        nodePorts.ShouldContain(("gateway", 30080));
        nodePorts.ShouldContain(("activemq", 30010));
        nodePorts.ShouldContain(("api-gateway", 30020));
    }

    private static List<string> Describe(string render) =>
    [
        .. Workload.In(render).Where(workload => Core.Contains(workload.Name)).OrderBy(workload => workload.Name, StringComparer.Ordinal)
            .SelectMany(workload => workload.Pod.Containers.Select(container =>
                $"{workload.Kind}/{workload.Name} {container.Name} ports[{string.Join(",", (container.Ports ?? []).Select(port => $"{port.Name}:{port.ContainerPort}"))}] " +
                $"startup({Probe(container.StartupProbe)}) liveness({Probe(container.LivenessProbe)}) readiness({Probe(container.ReadinessProbe)})")),
    ];

    /// <summary>Each core workload's app label and priority class: its tier (the end of its name), value and policy.
    /// The names differ: the chart's carry the release and namespace.</summary>
    private static List<string> Labelled(string render)
    {
        var classes = Renders.Of<V1PriorityClass>(render).ToDictionary(priorityClass => priorityClass.Name());
        return
        [
            .. Workload.In(render).Where(workload => Core.Contains(workload.Name)).OrderBy(workload => workload.Name, StringComparer.Ordinal)
                .Select(workload => (workload, priorityClass: classes.GetValueOrDefault(workload.Pod.PriorityClassName ?? "")))
                .Select(pair => $"{pair.workload} app={App(pair.workload.Template.Metadata.Labels)} " +
                    $"priority={Describe(pair.priorityClass)}"),
        ];
    }

    private static string? App(IDictionary<string, string>? labels) => labels is not null && labels.TryGetValue("app", out var app) ? app : null;

    private static List<string> PriorityClasses(string render) =>
        [.. Renders.Of<V1PriorityClass>(render).Select(Describe).Order(StringComparer.Ordinal)];

    private static string Describe(V1PriorityClass? priorityClass) => priorityClass is null
        ? "none"
        : $"{priorityClass.Name().Split('-')[^1]} {priorityClass.Value} {priorityClass.PreemptionPolicy} globalDefault={priorityClass.GlobalDefault}";

    private static string Probe(V1Probe? probe) => probe switch
    {
        null => "none",
        { HttpGet: { } http } => $"http {http.Path} {http.Port.Value}",
        { TcpSocket: { } tcp } => $"tcp {tcp.Port.Value}",
        { Exec: { } exec } => "exec",
        _ => "other",
    };

    private static List<string> Services(string render) =>
    [
        .. Renders.Of<V1Service>(render).Where(service => Core.Contains(service.Name()) || service.Name() == "api-gateway-pods")
            .OrderBy(service => service.Name(), StringComparer.Ordinal)
            .Select(service => $"{service.Name()} {service.Spec.Type ?? "ClusterIP"} {service.Spec.ClusterIP} " +
                string.Join(",", service.Spec.Ports.Select(port => $"{port.Name}:{port.Port}->{port.TargetPort?.Value}/{port.NodePort}"))),
    ];

    /// <summary>Each project service's settings as name=value, whether set directly or through a ConfigMap.</summary>
    private static List<string> Environment(string render)
    {
        var maps = Renders.Of<V1ConfigMap>(render).ToDictionary(map => map.Name());
        return
        [
            .. Workload.In(render).Where(workload => WorkloadPolicyTests.ProjectServices.Contains(workload.Name))
                .OrderBy(workload => workload.Name, StringComparer.Ordinal)
                .SelectMany(workload => Settings(workload.Pod.Containers[0]).Select(setting => $"{workload.Name}: {setting}"))
                .Order(StringComparer.Ordinal),
        ];

        IEnumerable<string> Settings(V1Container container)
        {
            foreach (var source in container.EnvFrom ?? [])
            {
                if (source.ConfigMapRef is { } reference)
                {
                    maps.ShouldContainKey(reference.Name, $"{render}: {container.Name} reads ConfigMap {reference.Name}, which is not there");
                    foreach (var (key, value) in maps[reference.Name].Data ?? new Dictionary<string, string>())
                    {
                        yield return $"{source.Prefix}{key}={value}";
                    }
                }
                else
                {
                    yield return $"all of Secret {source.SecretRef?.Name}";
                }
            }

            foreach (var variable in container.Env ?? [])
            {
                yield return variable switch
                {
                    { ValueFrom.SecretKeyRef: { } secret } => $"{variable.Name}=Secret {secret.Name}/{secret.Key}",
                    { ValueFrom.ConfigMapKeyRef: { } map } => $"{variable.Name}={maps[map.Name].Data[map.Key]}",
                    { ValueFrom.FieldRef: { } field } => $"{variable.Name}=field {field.FieldPath}",
                    _ => $"{variable.Name}={variable.Value}",
                };
            }
        }
    }
}
