namespace Fleetman.Deploy.Tests;

/// <summary>What every pod of every render must be: probed, sized, unprivileged, pinned, and matched by its selector.</summary>
public sealed class WorkloadPolicyTests
{
    /// <summary>The project's own services: the probes of docs/deployment-reference.md on the port named http.</summary>
    public static readonly IReadOnlySet<string> ProjectServices = new HashSet<string>
    {
        "position-simulator", "queue-consumer", "position-tracker", "api-gateway", "gateway", "webapp",
    };

    private const string NameLabel = "app.kubernetes.io/name";

    /// <summary>Losing one loses queued or stored positions or stops the pipeline: they go first on a full node.</summary>
    public static readonly IReadOnlySet<string> Critical = new HashSet<string> { "activemq", "mongodb", "redis" };

    /// <summary>Long-running workloads with no server to probe.</summary>
    private static readonly Dictionary<string, string> WithoutProbes = new Dictionary<string, string>
    {
        ["load-generator"] = "a client: it serves nothing a probe could ask",
    };

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_render_has_documents_and_each_loads_strictly(string render)
    {
        // Loading is strict: an unknown or misplaced field throws inside Load with the object's name.
        var manifests = Renders.Load(render);

        manifests.ShouldNotBeEmpty();
        manifests.Select(manifest => manifest.ToString()).ShouldBeUnique($"{render} defines an object twice");
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void The_core_system_is_in_every_render(string render)
    {
        var names = Workload.In(render).Select(workload => workload.Name).ToHashSet();

        foreach (var name in ProjectServices.Concat(["activemq", "mongodb", "redis"]))
        {
            names.ShouldContain(name, $"{render} lacks {name}");
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Project_services_have_startup_liveness_and_readiness_probes_on_their_health_endpoints(string render)
    {
        foreach (var workload in Workload.In(render).Where(workload => ProjectServices.Contains(workload.Name)))
        {
            var container = workload.Pod.Containers.ShouldHaveSingleItem($"{workload} runs one container");
            container.Ports.ShouldContain(port => port.Name == "http" && port.ContainerPort == 8080, $"{workload}: port http 8080");
            ShouldProbe(workload, container.StartupProbe, "startup", "/healthz/live");
            ShouldProbe(workload, container.LivenessProbe, "liveness", "/healthz/live");
            ShouldProbe(workload, container.ReadinessProbe, "readiness", "/healthz/ready");
        }

        static void ShouldProbe(Workload workload, V1Probe? probe, string kind, string path)
        {
            probe.ShouldNotBeNull($"{workload} has no {kind} probe");
            probe.HttpGet.ShouldNotBeNull($"{workload}: the {kind} probe asks over HTTP");
            probe.HttpGet.Path.ShouldBe(path, $"{workload} {kind} probe");
            probe.HttpGet.Port.Value.ShouldBe("http", $"{workload} {kind} probe port");
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_long_running_container_has_liveness_and_readiness_probes(string render)
    {
        foreach (var workload in Workload.In(render).Where(workload => !workload.RunsToCompletion && !WithoutProbes.ContainsKey(workload.Name)))
        {
            foreach (var container in workload.Pod.Containers)
            {
                WorkloadPolicy.ShouldHaveProbes(container, $"{workload} container {container.Name}", startup: false);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_container_requests_and_limits_cpu_and_memory(string render)
    {
        foreach (var workload in Workload.In(render))
        {
            foreach (var container in workload.AllContainers)
            {
                WorkloadPolicy.ShouldRequestAndLimitCpuAndMemory(container, $"{render}: {workload} container {container.Name}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_container_runs_as_non_root_with_a_read_only_root_filesystem_and_no_capabilities(string render)
    {
        foreach (var workload in Workload.In(render))
        {
            WorkloadPolicy.ShouldRunUnprivileged(workload, render);
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_pod_has_a_runtime_default_seccomp_profile_and_its_own_service_account(string render)
    {
        var accounts = Renders.Of<V1ServiceAccount>(render).Select(account => account.Name()).ToHashSet();
        foreach (var workload in Workload.In(render))
        {
            var seccomp = workload.Pod.SecurityContext?.SeccompProfile?.Type;
            seccomp.ShouldBe("RuntimeDefault", $"{render}: {workload} seccomp profile");
            workload.Pod.ServiceAccountName.ShouldNotBeNullOrEmpty($"{render}: {workload} runs as the namespace's default service account");
            accounts.ShouldContain(workload.Pod.ServiceAccountName, $"{render}: {workload}'s service account is not in the render");
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_image_is_pinned_to_a_version(string render)
    {
        foreach (var workload in Workload.In(render))
        {
            foreach (var container in workload.AllContainers)
            {
                WorkloadPolicy.ShouldBePinned(container.Image, $"{render}: {workload} container {container.Name}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_selector_matches_its_pod_template_labels(string render)
    {
        foreach (var workload in Workload.In(render).Where(workload => !workload.RunsToCompletion && workload.Kind != "Pod"))
        {
            workload.Selector.ShouldNotBeNull();
            var labels = workload.Template.Metadata?.Labels ?? new Dictionary<string, string>();
            workload.Selector.MatchLabels.ShouldNotBeEmpty($"{render}: {workload} selects by no label");
            foreach (var (key, value) in workload.Selector.MatchLabels)
            {
                labels.ShouldContainKeyAndValue(key, value, $"{render}: {workload}'s selector does not match its pods");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_pod_template_and_object_carries_app_equal_to_its_app_kubernetes_io_name(string render)
    {
        foreach (var workload in Workload.In(render))
        {
            var labels = workload.Template.Metadata?.Labels ?? new Dictionary<string, string>();
            labels.ShouldContainKey(NameLabel, $"{render}: {workload}'s pods have no {NameLabel}");
            labels.ShouldContainKeyAndValue("app", labels[NameLabel], $"{render}: {workload}'s pods cannot be found with -l app={labels[NameLabel]}");
        }

        // Custom resources too: the raw tree, not the models.
        foreach (var manifest in Renders.Load(render))
        {
            var metadata = (IDictionary<object, object>)manifest.Raw["metadata"];
            if (metadata.TryGetValue("labels", out var value) && value is IDictionary<object, object> labels && labels.TryGetValue(NameLabel, out var name))
            {
                labels.ShouldContainKey("app", $"{render}: {manifest} has {NameLabel} but no app label");
                labels["app"].ShouldBe(name, $"{render}: {manifest}'s app label");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Selectors_and_volume_claim_templates_do_not_use_the_app_label_so_upgrades_still_apply(string render)
    {
        // Both are immutable on an existing object: a label added there makes `kubectl apply` or `helm upgrade` fail.
        foreach (var workload in Workload.In(render))
        {
            Keys(workload.Selector).ShouldNotContain("app", $"{render}: {workload} selects by app");
            foreach (var spread in workload.Pod.TopologySpreadConstraints ?? [])
            {
                Keys(spread.LabelSelector).ShouldNotContain("app", $"{render}: {workload}'s spread constraint selects by app");
            }
        }

        foreach (var statefulSet in Renders.Of<V1StatefulSet>(render))
        {
            foreach (var claim in statefulSet.Spec.VolumeClaimTemplates ?? [])
            {
                (claim.Metadata?.Labels?.Keys ?? []).ShouldNotContain("app", $"{render}: StatefulSet/{statefulSet.Name()}'s claim template {claim.Name()}");
            }
        }

        foreach (var service in Renders.Of<V1Service>(render))
        {
            (service.Spec.Selector?.Keys ?? []).ShouldNotContain("app", $"{render}: Service/{service.Name()} selects by app");
        }

        foreach (var budget in Renders.Of<V1PodDisruptionBudget>(render))
        {
            Keys(budget.Spec.Selector).ShouldNotContain("app", $"{render}: PodDisruptionBudget/{budget.Name()} selects by app");
        }

        foreach (var policy in Renders.Of<V1NetworkPolicy>(render))
        {
            Keys(policy.Spec.PodSelector).ShouldNotContain("app", $"{render}: NetworkPolicy/{policy.Name()} selects by app");
            var peers = (policy.Spec.Ingress ?? []).SelectMany(rule => rule.FromProperty ?? [])
                .Concat((policy.Spec.Egress ?? []).SelectMany(rule => rule.To ?? []));
            foreach (var peer in peers)
            {
                Keys(peer.PodSelector).ShouldNotContain("app", $"{render}: NetworkPolicy/{policy.Name()} allows pods selected by app");
            }
        }

        static IEnumerable<string> Keys(V1LabelSelector? selector) =>
            (selector?.MatchLabels?.Keys ?? []).Concat((selector?.MatchExpressions ?? []).Select(expression => expression.Key));
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_pod_has_a_priority_class_that_the_same_render_creates(string render)
    {
        var classes = Renders.Of<V1PriorityClass>(render).ToDictionary(priorityClass => priorityClass.Name());
        foreach (var workload in Workload.In(render))
        {
            workload.Pod.PriorityClassName.ShouldNotBeNullOrEmpty($"{render}: {workload} has no priority class");
            classes.ShouldContainKey(workload.Pod.PriorityClassName, $"{render}: {workload}'s priority class is not in the render");
        }

        classes.Values.ShouldAllBe(priorityClass => priorityClass.GlobalDefault != true, $"{render}: a class of the system would become every cluster pod's default");
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Activemq_mongodb_and_redis_have_a_critical_priority_above_every_other_pod_which_never_evicts(string render)
    {
        var classes = Renders.Of<V1PriorityClass>(render).ToDictionary(priorityClass => priorityClass.Name());
        var workloads = Workload.In(render);
        var others = workloads.Where(workload => !Critical.Contains(workload.Name)).ToList();
        var highestOther = others.Max(workload => classes[workload.Pod.PriorityClassName].Value ?? 0);
        foreach (var workload in workloads.Where(workload => Critical.Contains(workload.Name)))
        {
            var priorityClass = classes.GetValueOrDefault(workload.Pod.PriorityClassName ?? "");
            priorityClass.ShouldNotBeNull($"{render}: {workload}'s priority class {workload.Pod.PriorityClassName} is not in the render");
            priorityClass.Name().ShouldEndWith("-critical", Case.Sensitive, $"{render}: {workload}");
            (priorityClass.Value ?? 0).ShouldBeGreaterThan(highestOther, $"{render}: {workload} does not go before the other pods");
            priorityClass.PreemptionPolicy.ShouldNotBe("Never", $"{render}: {workload} cannot make room for itself on a full node");
        }

        foreach (var workload in others)
        {
            workload.Pod.PriorityClassName.ShouldEndWith("-default", Case.Sensitive, $"{render}: {workload}");
            classes[workload.Pod.PriorityClassName].PreemptionPolicy.ShouldBe("Never", $"{render}: {workload} may evict other pods");
        }
    }

    [Fact]
    public void The_chart_uses_existing_priority_classes_by_name_and_creates_none_when_told()
    {
        // priorityClasses.create=false, mongodb and gateway named (scripts/render-manifests.sh).
        const string render = "checks/helm-existing-priority-classes";
        var priorities = Workload.In(render).ToDictionary(workload => workload.Name, workload => workload.Pod.PriorityClassName);

        Renders.Of<V1PriorityClass>(render).ShouldBeEmpty();
        priorities["mongodb"].ShouldBe("high-priority");
        priorities["gateway"].ShouldBe("team.example-default");
        priorities.Where(pair => pair.Key is not "mongodb" and not "gateway").ShouldAllBe(pair => pair.Value == null, "the others get the cluster's default priority");
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Replicated_workloads_have_a_disruption_budget_and_spread_over_nodes(string render)
    {
        var budgets = Renders.Of<V1PodDisruptionBudget>(render).ToList();
        foreach (var workload in Workload.In(render).Where(workload => workload.Replicas > 1))
        {
            var labels = workload.Template.Metadata.Labels;
            budgets.ShouldContain(budget => Selects(budget.Spec.Selector, labels), $"{render}: no PodDisruptionBudget covers {workload}");
            var spread = workload.Pod.TopologySpreadConstraints ?? [];
            var antiAffinity = workload.Pod.Affinity?.PodAntiAffinity;
            (spread.Count > 0 || antiAffinity is not null).ShouldBeTrue($"{render}: {workload} has {workload.Replicas} replicas and no topology spread");
        }
    }

    public static bool Selects(V1LabelSelector? selector, IDictionary<string, string>? labels) =>
        selector?.MatchLabels is { Count: > 0 } match && labels is not null
        && match.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);
}

/// <summary>The production policy for one workload or container, shared by the render and course tests.</summary>
public static class WorkloadPolicy
{
    /// <summary>Liveness and readiness (and startup, when asked) probes: a container Kubernetes can restart and route around.</summary>
    public static void ShouldHaveProbes(V1Container container, string what, bool startup)
    {
        if (startup)
        {
            container.StartupProbe.ShouldNotBeNull($"{what} has no startup probe");
        }

        container.LivenessProbe.ShouldNotBeNull($"{what} has no liveness probe");
        container.ReadinessProbe.ShouldNotBeNull($"{what} has no readiness probe");
    }

    public static void ShouldRequestAndLimitCpuAndMemory(V1Container container, string what)
    {
        container.Resources.ShouldNotBeNull($"{what} has no resources");
        foreach (var resource in new[] { "cpu", "memory" })
        {
            (container.Resources.Requests?.ContainsKey(resource) ?? false).ShouldBeTrue($"{what} requests no {resource}");
            (container.Resources.Limits?.ContainsKey(resource) ?? false).ShouldBeTrue($"{what} has no {resource} limit");
        }
    }

    /// <summary>
    /// Non-root, no privilege escalation, a read-only root filesystem and no capabilities for every container
    /// (init containers too), and none of the host's namespaces; <paramref name="where"/> names the render or chapter.
    /// </summary>
    public static void ShouldRunUnprivileged(Workload workload, string where)
    {
        workload.Pod.HostNetwork.ShouldNotBe(true, $"{where}: {workload} uses the host network");
        workload.Pod.HostPID.ShouldNotBe(true, $"{where}: {workload} uses the host PID namespace");
        foreach (var container in workload.AllContainers)
        {
            var what = $"{where}: {workload} container {container.Name}";
            var context = container.SecurityContext;
            context.ShouldNotBeNull($"{what} has no securityContext");
            (context.RunAsNonRoot ?? workload.Pod.SecurityContext?.RunAsNonRoot).ShouldBe(true, $"{what} may run as root");
            (context.RunAsUser ?? workload.Pod.SecurityContext?.RunAsUser).ShouldNotBe(0, $"{what} runs as UID 0");
            context.Privileged.ShouldNotBe(true, $"{what} is privileged");
            context.AllowPrivilegeEscalation.ShouldBe(false, $"{what} allows privilege escalation");
            context.ReadOnlyRootFilesystem.ShouldBe(true, $"{what} can write its root filesystem");
            (context.Capabilities?.Drop ?? []).ShouldContain("ALL", $"{what} keeps its capabilities");
            (context.Capabilities?.Add ?? []).ShouldBeEmpty($"{what} adds capabilities");
        }
    }

    public static void ShouldBePinned(string image, string what)
    {
        what = $"{what} image '{image}'";
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        (lastSegment.Contains(':', StringComparison.Ordinal) || image.Contains("@sha256:", StringComparison.Ordinal)).ShouldBeTrue($"{what} has no tag");
        lastSegment.EndsWith(":latest", StringComparison.Ordinal).ShouldBeFalse($"{what} floats on latest");
    }
}
