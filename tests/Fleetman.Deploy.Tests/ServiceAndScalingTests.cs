namespace Fleetman.Deploy.Tests;

/// <summary>Services reach pods on ports that exist; autoscalers can work; the stores keep their data on volumes.</summary>
public sealed class ServiceAndScalingTests
{
    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_service_selects_a_workload_and_targets_a_port_its_containers_have(string render)
    {
        var workloads = Workload.In(render);
        foreach (var service in Renders.Of<V1Service>(render))
        {
            var selected = workloads.Where(workload => WorkloadPolicyTests.Selects(new V1LabelSelector { MatchLabels = service.Spec.Selector }, workload.Template.Metadata.Labels)).ToList();
            selected.ShouldNotBeEmpty($"{render}: Service {service.Name()} selects no workload");
            foreach (var port in service.Spec.Ports)
            {
                selected.ShouldAllBe(
                    workload => ServicePolicy.HasTargetPort(workload, port),
                    $"{render}: Service {service.Name()} port {port.Port} targets '{ServicePolicy.TargetPort(port)}', which a selected pod does not have");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Every_autoscaler_targets_a_workload_whose_containers_request_cpu(string render)
    {
        var workloads = Workload.In(render);
        foreach (var autoscaler in Renders.Of<V2HorizontalPodAutoscaler>(render))
        {
            ServicePolicy.ShouldScaleOnCpuOfAWorkloadThatRequestsIt(autoscaler, workloads, render);
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Api_gateway_position_tracker_and_queue_consumer_scale_on_cpu_unless_keda_scales_the_consumer(string render)
    {
        var scaled = Renders.Of<V2HorizontalPodAutoscaler>(render).Select(autoscaler => autoscaler.Spec.ScaleTargetRef.Name).ToHashSet();
        var keda = Renders.Load(render).Where(manifest => manifest.Kind == "ScaledObject").ToList();

        scaled.ShouldContain("api-gateway");
        scaled.ShouldContain("position-tracker");
        if (keda.Count == 0)
        {
            scaled.ShouldContain("queue-consumer");
        }
        else
        {
            // KEDA makes its own HPA from the ScaledObject; a second one on the same Deployment would fight it.
            scaled.ShouldNotContain("queue-consumer", $"{render}: both KEDA and a CPU HPA scale queue-consumer");
            var target = (Dictionary<object, object>)((Dictionary<object, object>)keda.Single().Raw["spec"])["scaleTargetRef"];
            target["name"].ShouldBe("queue-consumer");
            var trigger = (Dictionary<object, object>)((List<object>)((Dictionary<object, object>)keda.Single().Raw["spec"])["triggers"]).Single();
            trigger["type"].ShouldBe("activemq");
            ((Dictionary<object, object>)trigger["metadata"])["destinationName"].ShouldBe("positionQueue");
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Mongodb_and_activemq_keep_their_data_on_a_volume_claim_per_member_behind_a_headless_service(string render)
    {
        var services = Renders.Of<V1Service>(render).ToDictionary(service => service.Name());
        foreach (var name in new[] { "mongodb", "activemq" })
        {
            var set = Renders.Of<V1StatefulSet>(render).SingleOrDefault(set => set.Name() == name);
            set.ShouldNotBeNull($"{render}: {name} is not a StatefulSet");
            set.Spec.VolumeClaimTemplates.ShouldNotBeEmpty($"{render}: {name} has no volumeClaimTemplates");
            var claim = set.Spec.VolumeClaimTemplates[0];
            claim.Spec.Resources.Requests.ShouldContainKey("storage");
            // By name: a monitoring render adds an exporter beside it.
            set.Spec.Template.Spec.Containers.Single(container => container.Name == name).VolumeMounts.ShouldContain(mount => mount.Name == claim.Name(), $"{render}: {name} does not mount its claim");
            services.ShouldContainKey(set.Spec.ServiceName, $"{render}: {name}'s governing Service is missing");
            if (name == "mongodb")
            {
                services[set.Spec.ServiceName].Spec.ClusterIP.ShouldBe("None", "members are addressed by name: mongodb-0.mongodb, ...");
                set.Spec.Replicas.ShouldBe(3, "a replica set that survives losing its primary");
            }
        }
    }
}

/// <summary>Services and autoscalers that can work, shared by the render and course tests.</summary>
public static class ServicePolicy
{
    /// <summary>The autoscaler's target is among <paramref name="workloads"/>, and it can compute CPU utilisation there.</summary>
    public static void ShouldScaleOnCpuOfAWorkloadThatRequestsIt(V2HorizontalPodAutoscaler autoscaler, IEnumerable<Workload> workloads, string where)
    {
        var target = workloads.LastOrDefault(workload => workload.Kind == autoscaler.Spec.ScaleTargetRef.Kind && workload.Name == autoscaler.Spec.ScaleTargetRef.Name);
        target.ShouldNotBeNull($"{where}: HPA {autoscaler.Name()} targets {autoscaler.Spec.ScaleTargetRef.Kind}/{autoscaler.Spec.ScaleTargetRef.Name}, which is not there");
        autoscaler.Spec.MinReplicas.ShouldNotBeNull();
        autoscaler.Spec.MaxReplicas.ShouldBeGreaterThan(autoscaler.Spec.MinReplicas.Value);
        autoscaler.Spec.Metrics.ShouldContain(metric => metric.Resource != null && metric.Resource.Name == "cpu", $"{where}: HPA {autoscaler.Name()} scales on CPU");
        foreach (var container in target.Pod.Containers)
        {
            (container.Resources?.Requests?.ContainsKey("cpu") ?? false).ShouldBeTrue($"{where}: {target} container {container.Name} requests no CPU, so its HPA cannot compute utilisation");
        }
    }

    /// <summary>The port a Service port sends to: its targetPort (a number or a container port's name), else its own number.</summary>
    public static string TargetPort(V1ServicePort port) =>
        port.TargetPort?.Value ?? port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool HasTargetPort(Workload workload, V1ServicePort port) =>
        workload.Pod.Containers.Any(container => (container.Ports ?? new List<V1ContainerPort>()).Any(
            containerPort => containerPort.Name == TargetPort(port) || containerPort.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == TargetPort(port)));
}
