namespace Fleetman.Deploy.Tests;

/// <summary>
/// <c>/metrics</c> is for Prometheus only, in every deployment the project ships: each Fleetman .NET service runs with
/// <c>Management__Port</c> 8090 (it answers <c>/metrics</c> there only), declares it as container port <c>metrics</c>,
/// is scraped there, and no NodePort, LoadBalancer or Ingress reaches a port that is scraped.
/// </summary>
public sealed partial class MetricsPortTests
{
    /// <summary>The management port of every .NET service in containers (docs/deployment-reference.md).</summary>
    public const int ManagementPort = 8090;

    /// <summary>The project's .NET servers by image: production images (fleetman/…) and the course's (fleetman-course/…; its webapp is the edge).</summary>
    private static readonly HashSet<string> DotnetImages = new()
    {
        "fleetman/gateway", "fleetman/api-gateway", "fleetman/position-tracker", "fleetman/position-simulator", "fleetman/queue-consumer",
        "fleetman-course/webapp", "fleetman-course/api-gateway", "fleetman-course/position-tracker", "fleetman-course/position-simulator",
        "fleetman-course/queue-consumer",
    };

    /// <summary>The compose services and the local run's services that run the project's .NET servers.</summary>
    private static readonly string[] DotnetServices = ["gateway", "api-gateway", "position-tracker", "position-simulator", "queue-consumer"];

    public static TheoryData<string> CourseChapters() => Course.All();

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_dotnet_service_of_a_render_answers_metrics_on_its_management_port_only(string render) =>
        ShouldServeMetricsOnTheManagementPort(Deployed(render), render).ShouldHaveNone($"{render}: .NET services without their management port");

    [Theory]
    [MemberData(nameof(CourseChapters))]
    public void Every_dotnet_service_of_a_course_chapter_answers_metrics_on_its_management_port_only(string id)
    {
        var chapter = Course.Chapter(id);
        var own = chapter.Objects.Select(item => new DeployedObject(item.Namespace, item.Manifest.Model, item.Manifest)).ToList();

        ShouldServeMetricsOnTheManagementPort(own, id).ShouldHaveNone($"{id}: .NET services without their management port");
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void No_node_port_load_balancer_or_ingress_of_a_render_reaches_a_scraped_port(string render) =>
        ScrapedPortsExposed(Deployed(render), render).ShouldHaveNone($"{render}: scraped ports reachable from outside the cluster");

    [Theory]
    [MemberData(nameof(CourseChapters))]
    public void No_node_port_load_balancer_or_ingress_of_the_course_reaches_a_scraped_port_after_any_chapter(string id)
    {
        // What the cluster holds once the chapters up to this one are applied: a chapter's Service may select the
        // pods of an earlier one.
        var state = Course.StateAt(Course.Chapter(id)).Values.Select(item => new DeployedObject(item.Namespace, item.Manifest.Model, item.Manifest)).ToList();

        ScrapedPortsExposed(state, id).ShouldHaveNone($"{id}: scraped ports reachable from outside the cluster");
    }

    [Fact]
    public void The_course_scrapes_the_port_named_metrics_of_every_dotnet_pod_with_a_pod_monitor_and_no_service_monitor()
    {
        var chapter = Course.Chapter("10-monitoring");
        var monitors = Course.Chapters().SelectMany(each => each.Objects).Where(item => item.Kind is "ServiceMonitor" or "PodMonitor").ToList();
        monitors.ShouldNotBeEmpty("the course scrapes nothing");
        monitors.ShouldAllBe(item => item.Kind == "PodMonitor", "a ServiceMonitor scrapes through a Service, and the course's Services include NodePorts");

        var spec = (IDictionary<object, object>)monitors.Single(item => item.Name == "fleetman").Manifest.Raw["spec"];
        var endpoints = ((List<object>)spec["podMetricsEndpoints"]).Cast<IDictionary<object, object>>().ToList();
        endpoints.ShouldAllBe(endpoint => (string)endpoint["port"] == "metrics", "the PodMonitor scrapes another port than metrics");
        endpoints.ShouldAllBe(endpoint => (string)endpoint["path"] == "/metrics");

        // Every .NET pod of the course's system at that chapter is selected and has the port.
        var selector = (IDictionary<object, object>)((List<object>)((IDictionary<object, object>)spec["selector"])["matchExpressions"]).Single();
        ((string)selector["key"]).ShouldBe("app");
        var apps = ((List<object>)selector["values"]).Cast<string>().ToHashSet();
        var pods = Course.StateAt(chapter).Values.Where(item => item.Namespace == "default")
            .Select(item => Workload.Of(item.Manifest.Model)).OfType<Workload>()
            .Where(workload => !workload.RunsToCompletion && workload.Pod.Containers.Any(container => IsDotnet(container.Image)))
            .ToList();
        pods.ShouldNotBeEmpty();
        foreach (var workload in pods)
        {
            apps.ShouldContain(workload.Template.Metadata.Labels.Label("app") ?? "", $"10-monitoring: the PodMonitor does not select {workload}");
            workload.Pod.Containers.ShouldContain(container => (container.Ports ?? new List<V1ContainerPort>()).Any(port => port.Name == "metrics"), $"{workload} has no port metrics");
        }

        Course.Chapter("10-monitoring").Readme.ShouldNotContain(":8080/metrics", Case.Sensitive, "the public port answers /metrics with 404");
        Course.Chapter("11-resources").Readme.ShouldNotContain(":8080/metrics", Case.Sensitive, "the public port answers /metrics with 404");
    }

    /// <summary>Chapter 10's patch of the queue Deployment that adds the broker's exporter, loaded strictly.</summary>
    private static V1Deployment QueueExporterPatch(string file = "queue-exporter.yaml") =>
        k8s.KubernetesYaml.Deserialize<V1Deployment>(File.ReadAllText(Path.Combine(Course.Root, "10-monitoring", "patches", file)), strict: true);

    [Fact]
    public void The_course_s_broker_exporter_is_production_s_beside_the_broker_with_production_s_rules_and_jmx_on_the_pod_s_loopback()
    {
        var patch = QueueExporterPatch().Spec.Template;
        var productionText = File.ReadAllText(Path.Combine(Repository.Root, "k8s", "components", "exporters", "exporters.yaml"));
        var productionPod = k8s.KubernetesYaml.Deserialize<V1StatefulSet>(Renders.Documents(productionText).Single(document => document.Contains("name: activemq\n", StringComparison.Ordinal)), strict: true).Spec.Template.Spec;

        var exporter = patch.Spec.Containers.Single(container => container.Name == "queue-exporter");
        var what = $"10-monitoring/patches/queue-exporter.yaml: {exporter.Name}";
        exporter.Image.ShouldBe(productionPod.Containers.Single(container => container.Name == "activemq-exporter").Image, $"{what}: not production's image");
        exporter.Ports.Single().ShouldSatisfyAllConditions(port => port.Name.ShouldBe("metrics"), port => port.ContainerPort.ShouldBe(9404));
        WorkloadPolicy.ShouldHaveProbes(exporter, what, startup: true);
        WorkloadPolicy.ShouldRequestAndLimitCpuAndMemory(exporter, what);
        exporter.SecurityContext.ShouldSatisfyAllConditions(
            context => context.RunAsNonRoot.ShouldBe(true),
            context => context.ReadOnlyRootFilesystem.ShouldBe(true),
            context => context.AllowPrivilegeEscalation.ShouldBe(false),
            context => context.Capabilities.Drop.ShouldBe(["ALL"]),
            context => context.SeccompProfile.Type.ShouldBe("RuntimeDefault"));
        var rulesVolume = patch.Spec.Volumes.Single(volume => volume.ConfigMap is not null);
        exporter.Args.ShouldContain(argument => argument.StartsWith(exporter.VolumeMounts.Single(mount => mount.Name == rulesVolume.Name).MountPath + "/", StringComparison.Ordinal),
            $"{what} does not read its rules from ConfigMap {rulesVolume.ConfigMap.Name}");

        // JMX as production opens it: on the pod's loopback only.
        patch.Spec.Containers.Single(container => container.Name == "queue").Env.Single().ShouldSatisfyAllConditions(
            variable => variable.Name.ShouldBe("ACTIVEMQ_JMX_OPTS"),
            variable => variable.Value.ShouldBe(productionPod.Containers.Single(container => container.Name == "activemq").Env.Single(env => env.Name == "ACTIVEMQ_JMX_OPTS").Value));

        // The rules are production's, word for word.
        var rules = Course.Chapter("10-monitoring").Objects.Select(item => item.Manifest.Model).OfType<V1ConfigMap>().Single(map => map.Name() == rulesVolume.ConfigMap.Name);
        rules.Data.Single().Value.ShouldBe(File.ReadAllText(Path.Combine(Repository.Root, "k8s", "components", "exporters", "activemq-exporter.yaml")));

        // The undo takes out what the patch added.
        var undo = File.ReadAllText(Path.Combine(Course.Root, "10-monitoring", "patches", "queue-without-exporter.yaml"));
        foreach (var name in patch.Spec.Volumes.Select(volume => volume.Name).Append(exporter.Name).Append("ACTIVEMQ_JMX_OPTS"))
        {
            undo.ShouldContain($"- name: {name}\n", Case.Sensitive, $"queue-without-exporter.yaml leaves {name}");
        }
    }

    [Fact]
    public void The_course_s_exporters_run_as_production_s_sidecars_do_and_their_pod_monitor_scrapes_each_on_its_port_metrics()
    {
        var chapter = Course.Chapter("10-monitoring");
        // Chapter 10's own exporters, and those beside a later chapter's parts (chapter 20's MongoDB members): the pods
        // labelled with the part they export.
        var exporters = Course.Chapters()
            .SelectMany(course => course.Workloads.Where(workload => workload.Template.Metadata.Labels?.ContainsKey("exports") == true).Select(workload => (Chapter: course.Id, Workload: workload)))
            .ToList();
        exporters.ShouldContain(exporter => exporter.Chapter == chapter.Id, "10-monitoring runs no exporter");
        var production = File.ReadAllText(Path.Combine(Repository.Root, "k8s", "components", "exporters", "exporters.yaml"));
        var checks = new List<Action>();
        foreach (var (id, workload) in exporters)
        {
            checks.Add(() => WorkloadPolicy.ShouldRunUnprivileged(workload, id));
            checks.Add(() => (workload.Pod.SecurityContext?.SeccompProfile?.Type).ShouldBe("RuntimeDefault", $"{workload} has no RuntimeDefault seccomp profile"));
            checks.Add(() => workload.Pod.Containers.Count(container => container.Name.EndsWith("-exporter", StringComparison.Ordinal)).ShouldBe(1, $"{id}: {workload} has no exporter container"));
            foreach (var container in workload.Pod.Containers.Where(container => container.Name.EndsWith("-exporter", StringComparison.Ordinal)))
            {
                var what = $"{id}: {workload} container {container.Name}";
                checks.Add(() => WorkloadPolicy.ShouldHaveProbes(container, what, startup: true));
                checks.Add(() => WorkloadPolicy.ShouldRequestAndLimitCpuAndMemory(container, what));
                checks.Add(() => WorkloadPolicy.ShouldBePinned(container.Image, what));
                checks.Add(() => production.ShouldContain($"image: {container.Image}\n", Case.Sensitive, $"{what}: not the image and version of production's sidecar"));
                checks.Add(() => (container.Ports ?? []).ShouldContain(port => port.Name == "metrics", $"{what} has no port metrics"));
                checks.Add(() => container.SecurityContext?.ReadOnlyRootFilesystem.ShouldBe(true, $"{what} may write its root filesystem"));
                foreach (var variable in container.Env ?? [])
                {
                    // Credentials come from the course's Secret, never written into the manifest.
                    if (variable.Name.Contains("PASSWORD", StringComparison.Ordinal) || variable.Name.Contains("USER", StringComparison.Ordinal))
                    {
                        checks.Add(() => variable.ValueFrom?.SecretKeyRef?.Name.ShouldBe("fleetman-credentials", $"{what} variable {variable.Name} is not from Secret fleetman-credentials"));
                    }
                }
            }
        }

        Course.Problems(checks).ShouldHaveNone("the course's exporters short of production's sidecars");

        var monitor = chapter.Objects.Single(item => item.Kind == "PodMonitor" && item.Name == "fleetman-exporters").Manifest.Raw;
        var spec = (IDictionary<object, object>)monitor["spec"];
        var expression = (IDictionary<object, object>)((List<object>)((IDictionary<object, object>)spec["selector"])["matchExpressions"]).Single();
        ((string)expression["key"]).ShouldBe("exports");
        ((string)expression["operator"]).ShouldBe("In");
        var parts = ((List<object>)expression["values"]).Cast<string>().ToList();
        exporters.Select(exporter => exporter.Workload.Template.Metadata.Labels.Label("exports")).Append(QueueExporterPatch().Spec.Template.Metadata.Labels["exports"])
            .ShouldBe(parts, ignoreOrder: true, "the PodMonitor selects exactly the course's exporters (and the broker's, patched into the queue pod), by their label exports");

        var endpoint = (IDictionary<object, object>)((List<object>)spec["podMetricsEndpoints"]).Single();
        ((string)endpoint["port"]).ShouldBe("metrics");
        ((string)endpoint["path"]).ShouldBe("/metrics");
        // job is the part (job="redis"), as the production rules and dashboards read it.
        var relabeling = (IDictionary<object, object>)((List<object>)endpoint["relabelings"]).Single();
        ((List<object>)relabeling["sourceLabels"]).Cast<string>().ShouldBe(["__meta_kubernetes_pod_label_exports"]);
        ((string)relabeling["targetLabel"]).ShouldBe("job");

        // An exporter that stops answering is caught like any Fleetman target: its job is one FleetmanTargetDown watches.
        var watched = new Regex($"^(?:{TargetDownJobs().Match(File.ReadAllText(AlertRulesTests.RulesFile)).Groups["jobs"].Value})$");
        parts.ShouldAllBe(part => watched.IsMatch(part), "FleetmanTargetDown does not watch the job of an exporter");
    }

    [Theory]
    [InlineData("k8s-component-network-policies")]
    [InlineData("helm-all-components")]
    public void Network_policies_let_prometheus_reach_the_management_port_and_nothing_else_open_it(string render)
    {
        var objects = Deployed(render);
        var policies = Renders.Of<V1NetworkPolicy>(render).ToList();
        // Prometheus' pods as the policies see them (the chart's selectors carry more labels than the name); a render
        // without the monitoring component names them by their app.kubernetes.io/name alone.
        var prometheus = Workloads(objects).SingleOrDefault(workload => workload.Name == "prometheus")?.Template.Metadata.Labels
            ?? new Dictionary<string, string> { ["app.kubernetes.io/name"] = "prometheus" };
        var problems = new List<string>();
        foreach (var workload in Workloads(objects).Where(workload => workload.Pod.Containers.Any(container => IsDotnet(container.Image))))
        {
            var labels = workload.Template.Metadata.Labels;
            var rules = policies.Where(policy => WorkloadPolicyTests.Selects(policy.Spec.PodSelector, labels) || SelectsByExpression(policy.Spec.PodSelector, labels))
                .SelectMany(policy => policy.Spec.Ingress ?? []).ToList();
            if (!rules.Any(rule => AllowsPort(rule.Ports, ManagementPort) && (rule.FromProperty ?? []).Any(peer => WorkloadPolicyTests.Selects(peer.PodSelector, prometheus))))
            {
                problems.Add($"{render}: no policy lets Prometheus reach {workload} on {ManagementPort}");
            }

            if (rules.Any(rule => (rule.FromProperty is null || rule.FromProperty.Count == 0) && AllowsPort(rule.Ports, ManagementPort)))
            {
                problems.Add($"{render}: a policy opens {workload}'s management port {ManagementPort} to anyone");
            }
        }

        // Prometheus itself may go there (its egress), when the render has it.
        var egress = policies.Where(policy => WorkloadPolicyTests.Selects(policy.Spec.PodSelector, prometheus)).SelectMany(policy => policy.Spec.Egress ?? []).ToList();
        if (egress.Count > 0)
        {
            foreach (var workload in Workloads(objects).Where(workload => workload.Pod.Containers.Any(container => IsDotnet(container.Image))))
            {
                if (!egress.Any(rule => AllowsPort(rule.Ports, ManagementPort) && (rule.To ?? []).Any(peer => WorkloadPolicyTests.Selects(peer.PodSelector, workload.Template.Metadata.Labels))))
                {
                    problems.Add($"{render}: Prometheus may not go to {workload} on {ManagementPort}");
                }
            }
        }

        problems.ShouldHaveNone($"{render}: network policies and the management port");

        static bool AllowsPort(IList<V1NetworkPolicyPort>? ports, int port) =>
            ports is null || ports.Count == 0 || ports.Any(candidate => candidate.Port?.Value == port.ToString(CultureInfo.InvariantCulture));

        static bool SelectsByExpression(V1LabelSelector selector, IDictionary<string, string> labels) =>
            selector.MatchLabels is null or { Count: 0 } && selector.MatchExpressions is { Count: > 0 } expressions
            && expressions.All(expression => expression.OperatorProperty == "Exists" && labels.ContainsKey(expression.Key));
    }

    [Fact]
    public void Every_dotnet_compose_service_answers_metrics_on_an_unpublished_management_port_that_prometheus_scrapes()
    {
        var path = Path.Combine(Renders.Folder, "compose.yaml");
        File.Exists(path).ShouldBeTrue($"{path} is missing: scripts/render-manifests.sh runs docker-compose config (apt-get install docker-compose)");
        var file = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(File.ReadAllText(path));
        var services = ((Dictionary<object, object>)file["services"]).ToDictionary(entry => (string)entry.Key, entry => (Dictionary<object, object>)entry.Value);
        var problems = new List<string>();
        foreach (var (name, service) in services)
        {
            var image = ((string)service["image"]).Split(':')[0];
            if (!DotnetImages.Contains(image))
            {
                continue;
            }

            var environment = (Dictionary<object, object>)service["environment"];
            if (environment.GetValueOrDefault("Management__Port") as string != ManagementPort.ToString(CultureInfo.InvariantCulture))
            {
                problems.Add($"compose: {name} runs without Management__Port {ManagementPort}");
            }

            // docker-compose 1.29 writes published ports as [host address:]published:target/protocol.
            foreach (var port in service.TryGetValue("ports", out var ports) ? ((List<object>)ports).Cast<string>() : [])
            {
                if (port.Split('/')[0].EndsWith($":{ManagementPort}", StringComparison.Ordinal))
                {
                    problems.Add($"compose: {name} publishes its management port ({port})");
                }
            }
        }

        services.Keys.Where(name => DotnetImages.Contains(((string)services[name]["image"]).Split(':')[0])).ShouldBe(DotnetServices, ignoreOrder: true);

        // Prometheus of the observability profile scrapes each of them there.
        var prometheus = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(
            File.ReadAllText(Path.Combine(Repository.Root, "deploy", "compose", "prometheus", "prometheus.yml")));
        var targets = ((List<object>)prometheus["scrape_configs"]).Cast<Dictionary<object, object>>()
            .SelectMany(job => job.TryGetValue("dns_sd_configs", out var configs) ? ((List<object>)configs).Cast<Dictionary<object, object>>() : [])
            .SelectMany(config => ((List<object>)config["names"]).Cast<string>().Select(name => (Name: name, Port: Convert.ToInt32(config["port"], CultureInfo.InvariantCulture))))
            .ToList();
        foreach (var name in DotnetServices)
        {
            targets.ShouldContain((name, ManagementPort), $"compose's Prometheus does not scrape {name} on {ManagementPort}");
        }

        targets.ShouldAllBe(target => target.Port == ManagementPort, "compose's Prometheus scrapes a service's public port");
        problems.ShouldHaveNone("compose: the management port");
    }

    [Fact]
    public void Every_service_of_the_local_run_gets_a_management_port_of_its_own()
    {
        var script = File.ReadAllText(Path.Combine(Repository.Root, "fleetman"));
        var list = ServiceList().Match(script);
        list.Success.ShouldBeTrue("./fleetman has no services=( ... ) list");
        var entries = list.Groups["entries"].Value.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith('"')).ToList();

        entries.Select(entry => entry.Trim('"').Split(' ')[0]).ShouldBe(DotnetServices, ignoreOrder: true);
        var ports = new List<string>();
        foreach (var entry in entries)
        {
            // name, folder, assembly, port, management port; a port may be shell arithmetic, $((base + 1)).
            var fields = Field().Matches(entry.Trim('"')).Select(match => match.Value).ToArray();
            fields.Length.ShouldBe(5, $"./fleetman: '{entry}' has no management port");
            fields[4].ShouldNotBe(fields[3], $"./fleetman: {fields[0]}'s management port is its own port");
            ports.Add(fields[3]);
            ports.Add(fields[4]);
        }

        ports.ShouldBeUnique("./fleetman gives two services the same port");
        script.ShouldContain("\"Management__Port=$management\"", Case.Sensitive, "./fleetman does not pass the management port to every service");
    }

    /// <summary>One object of a deployment, with the namespace it lands in ("" when the render names none: one namespace).</summary>
    private sealed record DeployedObject(string Namespace, object? Model, Manifest Manifest);

    private static List<DeployedObject> Deployed(string render) =>
        [.. Renders.Load(render).Select(manifest => new DeployedObject(manifest.Namespace ?? "", manifest.Model, manifest))];

    private static IEnumerable<Workload> Workloads(IEnumerable<DeployedObject> objects) => objects.Select(item => Workload.Of(item.Model)).OfType<Workload>();

    private static bool IsDotnet(string image)
    {
        var repository = image.Split('@')[0];
        var lastSlash = repository.LastIndexOf('/');
        var colon = repository.IndexOf(':', lastSlash + 1);
        repository = colon < 0 ? repository : repository[..colon];
        var segments = repository.Split('/');
        return segments.Length >= 2 && DotnetImages.Contains($"{segments[^2]}/{segments[^1]}");
    }

    /// <summary>Management__Port 8090 (env or a ConfigMap of the same deployment), container port metrics 8090, scrape annotation on it.</summary>
    private static List<string> ShouldServeMetricsOnTheManagementPort(IReadOnlyList<DeployedObject> objects, string where)
    {
        var maps = objects.Where(item => item.Model is V1ConfigMap).ToDictionary(item => (item.Namespace, item.Manifest.Name), item => (V1ConfigMap)item.Model!);
        var problems = new List<string>();
        var expected = ManagementPort.ToString(CultureInfo.InvariantCulture);
        foreach (var item in objects)
        {
            if (Workload.Of(item.Model) is not { RunsToCompletion: false } workload)
            {
                continue;
            }

            foreach (var container in workload.Pod.Containers.Where(container => IsDotnet(container.Image)))
            {
                var what = $"{where}: {workload} container {container.Name}";
                var value = EnvironmentValue(container, "Management__Port", item.Namespace, maps);
                if (value != expected)
                {
                    problems.Add($"{what} runs without Management__Port {expected} (has '{value}'): it answers /metrics on its public port");
                }

                if (!(container.Ports ?? []).Any(port => port.Name == "metrics" && port.ContainerPort == ManagementPort))
                {
                    problems.Add($"{what} does not declare container port metrics {ManagementPort}");
                }

                var annotations = workload.Template.Metadata?.Annotations ?? new Dictionary<string, string>();
                if (annotations.Label("prometheus.io/scrape") == "true" && annotations.Label("prometheus.io/port") != expected)
                {
                    problems.Add($"{what}: Prometheus scrapes port {annotations.Label("prometheus.io/port")}, not the management port {expected}");
                }
            }
        }

        return problems;
    }

    /// <summary>A variable's value as the container sees it: the last of its envFrom ConfigMaps, overridden by env.</summary>
    private static string? EnvironmentValue(V1Container container, string name, string ns, IReadOnlyDictionary<(string, string), V1ConfigMap> maps)
    {
        string? value = null;
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is not null && maps.TryGetValue((ns, source.ConfigMapRef.Name), out var map) && map.Data?.TryGetValue(name, out var found) == true)
            {
                value = found;
            }
        }

        return (container.Env ?? []).LastOrDefault(variable => variable.Name == name)?.Value ?? value;
    }

    /// <summary>
    /// Every (workload, container port) that Prometheus scrapes (annotation, or the .NET services' management port)
    /// and that a NodePort or LoadBalancer Service, or a Service behind an Ingress, also reaches.
    /// </summary>
    private static List<string> ScrapedPortsExposed(IReadOnlyList<DeployedObject> objects, string where)
    {
        var maps = objects.Where(item => item.Model is V1ConfigMap).ToDictionary(item => (item.Namespace, item.Manifest.Name), item => (V1ConfigMap)item.Model!);
        var services = objects.Where(item => item.Model is V1Service).Select(item => (item.Namespace, Service: (V1Service)item.Model!)).ToList();
        var ingressBackends = objects.Where(item => item.Model is V1Ingress)
            .SelectMany(item => Backends((V1Ingress)item.Model!).Select(backend => (item.Namespace, backend.Service, backend.Port, Ingress: item.Manifest.Name)))
            .ToList();
        var workloads = objects.Select(item => (item.Namespace, Workload: Workload.Of(item.Model))).Where(item => item.Workload is not null).ToList();
        var problems = new List<string>();
        foreach (var (ns, workload) in workloads)
        {
            var scraped = Scraped(workload!, ns, maps);
            if (scraped.Count == 0)
            {
                continue;
            }

            foreach (var (serviceNamespace, service) in services.Where(pair => pair.Namespace == ns && pair.Service.Spec.Selector is { Count: > 0 }
                && WorkloadPolicyTests.Selects(new V1LabelSelector { MatchLabels = pair.Service.Spec.Selector }, workload!.Template.Metadata?.Labels)))
            {
                var type = service.Spec.Type ?? "ClusterIP";
                foreach (var port in service.Spec.Ports ?? [])
                {
                    var via = type is "NodePort" or "LoadBalancer" ? $"{type} Service {service.Name()}"
                        : ingressBackends.Where(backend => backend.Namespace == serviceNamespace && backend.Service == service.Name()
                                && (backend.Port == port.Port.ToString(CultureInfo.InvariantCulture) || backend.Port == port.Name))
                            .Select(backend => $"Ingress {backend.Ingress} (Service {service.Name()})").FirstOrDefault();
                    if (via is null)
                    {
                        continue;
                    }

                    var target = ContainerPort(workload!, ServicePolicy.TargetPort(port));
                    if (target is not null && scraped.Contains(target.Value))
                    {
                        problems.Add($"{where}: {workload} is scraped on {target} and {via} port {port.Port} reaches it from outside the cluster");
                    }
                }
            }
        }

        return problems;
    }

    /// <summary>The container ports a workload's /metrics is read on: its scrape annotation's, its .NET containers' management port, its port named metrics.</summary>
    private static HashSet<int> Scraped(Workload workload, string ns, IReadOnlyDictionary<(string, string), V1ConfigMap> maps)
    {
        var ports = new HashSet<int>();
        var annotations = workload.Template.Metadata?.Annotations ?? new Dictionary<string, string>();
        if (annotations.Label("prometheus.io/scrape") == "true" && int.TryParse(annotations.Label("prometheus.io/port"), CultureInfo.InvariantCulture, out var annotated))
        {
            ports.Add(annotated);
        }

        foreach (var container in workload.Pod.Containers)
        {
            if (IsDotnet(container.Image))
            {
                // Without a management port a .NET service answers /metrics on the port it serves on.
                ports.Add(int.TryParse(EnvironmentValue(container, "Management__Port", ns, maps), CultureInfo.InvariantCulture, out var management) && management > 0
                    ? management
                    : 8080);
            }

            foreach (var port in (container.Ports ?? []).Where(port => port.Name == "metrics"))
            {
                ports.Add(port.ContainerPort);
            }
        }

        return ports;
    }

    /// <summary>The container port number a Service's target (a number or a port's name) is on this workload, or null when it has none.</summary>
    private static int? ContainerPort(Workload workload, string target) =>
        int.TryParse(target, CultureInfo.InvariantCulture, out var number)
            ? number
            : workload.Pod.Containers.SelectMany(container => container.Ports ?? []).FirstOrDefault(port => port.Name == target)?.ContainerPort;

    private static IEnumerable<(string Service, string Port)> Backends(V1Ingress ingress)
    {
        var backends = new List<V1IngressBackend?> { ingress.Spec.DefaultBackend };
        backends.AddRange((ingress.Spec.Rules ?? []).SelectMany(rule => rule.Http?.Paths ?? []).Select(path => path.Backend));
        return backends.Where(backend => backend?.Service is not null).Select(backend => (backend!.Service.Name,
            backend.Service.Port.Number?.ToString(CultureInfo.InvariantCulture) ?? backend.Service.Port.Name));
    }

    /// <summary>The job pattern of FleetmanTargetDown's expression, <c>up{job=~"…"}</c>.</summary>
    [GeneratedRegex(@"\bup\{job=~""(?<jobs>[^""]+)""\}")]
    private static partial Regex TargetDownJobs();

    [GeneratedRegex(@"^services=\((?<entries>.*?)^\)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ServiceList();

    [GeneratedRegex(@"\$\(\([^)]*\)\)|\S+")]
    private static partial Regex Field();
}
