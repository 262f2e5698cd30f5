namespace Fleetman.Deploy.Tests;

/// <summary>
/// What each chapter of the course path (k8s/course) is there to show: the objects its lesson is about, as the
/// course's commands expect them (the rules every chapter follows are <see cref="CourseTests"/>).
/// </summary>
public sealed class CourseChapterTests
{
    private static readonly string[] CpuAndMemory = ["cpu", "memory"];

    [Fact]
    public void The_deployments_chapter_makes_the_webapp_rollout_wait_with_min_ready_seconds()
    {
        var webapp = Of<V1Deployment>("04-deployments").SingleOrDefault(deployment => deployment.Name() == "webapp");

        webapp.ShouldNotBeNull("04-deployments has no Deployment webapp");
        webapp.Spec.MinReadySeconds.ShouldNotBeNull("04-deployments: Deployment webapp sets no minReadySeconds");
        webapp.Spec.MinReadySeconds.Value.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void The_persistence_chapter_keeps_mongodb_s_data_on_a_claimed_volume()
    {
        var objects = Course.Chapter("07-persistence").Objects;
        var claim = objects.Select(item => item.Manifest.Model).OfType<V1PersistentVolumeClaim>().SingleOrDefault(claim => claim.Name() == "mongo-pvc");
        claim.ShouldNotBeNull("07-persistence has no PersistentVolumeClaim mongo-pvc");
        objects.ShouldContain(item => item.Kind == "PersistentVolume" && item.File == "storage.yaml", "07-persistence/storage.yaml has no PersistentVolume");
        var mongodb = Of<V1Deployment>("07-persistence").SingleOrDefault(deployment => deployment.Name() == "mongodb");
        mongodb.ShouldNotBeNull("07-persistence has no Deployment mongodb");
        (mongodb.Spec.Template.Spec.Volumes ?? []).ShouldContain(volume => volume.PersistentVolumeClaim != null && volume.PersistentVolumeClaim.ClaimName == "mongo-pvc", "07-persistence: mongodb does not mount mongo-pvc");
    }

    [Fact]
    public void The_eks_chapter_serves_through_a_load_balancer_with_two_webapps_and_encrypted_gp3_storage()
    {
        var objects = Course.Chapter("08-eks").Objects;
        var webappService = objects.Select(item => item.Manifest.Model).OfType<V1Service>().SingleOrDefault(service => service.Name() == "fleetman-webapp");
        webappService.ShouldNotBeNull("08-eks has no Service fleetman-webapp");
        webappService.Spec.Type.ShouldBe("LoadBalancer");
        var webapp = Of<V1Deployment>("08-eks").SingleOrDefault(deployment => deployment.Name() == "webapp");
        webapp.ShouldNotBeNull("08-eks has no Deployment webapp");
        webapp.Spec.Replicas.ShouldBe(2, "08-eks: two webapps, so the map survives the loss of a node");
        var storage = objects.Select(item => item.Manifest.Model).OfType<V1StorageClass>().SingleOrDefault(storage => storage.Name() == "cloud-ssd");
        storage.ShouldNotBeNull("08-eks has no StorageClass cloud-ssd");
        storage.Provisioner.ShouldBe("ebs.csi.aws.com");
        storage.Parameters.ShouldContainKeyAndValue("type", "gp3");
        storage.Parameters.ShouldContainKeyAndValue("encrypted", "true");
        var claim = objects.Select(item => item.Manifest.Model).OfType<V1PersistentVolumeClaim>().SingleOrDefault(claim => claim.Name() == "mongo-pvc");
        claim.ShouldNotBeNull("08-eks has no PersistentVolumeClaim mongo-pvc");
        claim.Spec.StorageClassName.ShouldBe("cloud-ssd");
    }

    [Fact]
    public void The_eks_chapter_has_the_course_s_kops_cluster_spec_beside_the_manifests()
    {
        // kops' own resources, read by kops create -f, never by kubectl: so in a subfolder, and only kops' kinds.
        var spec = Renders.Parse(File.ReadAllText(Path.Combine(Course.Chapter("08-eks").Folder, "kops", "cluster.yaml")), "08-eks/kops/cluster.yaml", new HashSet<string> { "kops.k8s.io" });

        spec.ShouldAllBe(manifest => manifest.Group == "kops.k8s.io");
        spec.ShouldContain(manifest => manifest.Kind == "Cluster");
        spec.ShouldContain(manifest => manifest.Kind == "InstanceGroup");
    }

    [Fact]
    public void No_autoscaler_exists_before_the_autoscaling_chapter_so_kubectl_autoscale_can_create_one()
    {
        var early = Course.Chapters().Where(chapter => chapter.Number < 12)
            .SelectMany(chapter => chapter.Objects).Where(item => item.Kind == "HorizontalPodAutoscaler").Select(item => item.ToString()).ToList();

        early.ShouldHaveNone("autoscalers before chapter 12");
    }

    [Fact]
    public void The_autoscaling_chapter_has_the_api_gateway_autoscaler_of_kubectl_autoscale_as_a_manifest()
    {
        var chapter = Course.Chapter("12-autoscaling");
        var item = chapter.ShouldHave("HorizontalPodAutoscaler", "api-gateway", "autoscaling-rules.yaml");
        item.Manifest.ApiVersion.ShouldBe("autoscaling/v2");
        var autoscaler = (V2HorizontalPodAutoscaler)item.Manifest.Model!;

        // kubectl autoscale deployment api-gateway --cpu-percent 400 --min 1 --max 4, written down.
        autoscaler.Spec.ScaleTargetRef.Kind.ShouldBe("Deployment");
        autoscaler.Spec.ScaleTargetRef.Name.ShouldBe("api-gateway");
        autoscaler.Spec.MinReplicas.ShouldBe(1);
        autoscaler.Spec.MaxReplicas.ShouldBe(4);
        autoscaler.Spec.Metrics.ShouldHaveSingleItem().Resource.Target.AverageUtilization.ShouldBe(400);
        var state = Course.StateAt(chapter).Values.Select(item => Workload.Of(item.Manifest.Model)).OfType<Workload>();
        ServicePolicy.ShouldScaleOnCpuOfAWorkloadThatRequestsIt(autoscaler, state, chapter.Id);
    }

    [Fact]
    public void The_qos_chapter_has_a_guaranteed_pod_a_priority_class_a_quota_and_a_limit_range()
    {
        var chapter = Course.Chapter("14-qos-and-priority");

        chapter.Objects.ShouldContain(item => item.Kind == "PriorityClass", "14: no PriorityClass");
        chapter.Objects.ShouldContain(item => item.Kind == "ResourceQuota", "14: no ResourceQuota");
        chapter.Objects.ShouldContain(item => item.Kind == "LimitRange", "14: no LimitRange");
        var classes = chapter.Objects.Where(item => item.Kind == "PriorityClass").Select(item => item.Name).ToHashSet();
        chapter.Workloads.ShouldContain(workload => workload.Pod.PriorityClassName != null && classes.Contains(workload.Pod.PriorityClassName), "14: no workload uses the PriorityClass");
        chapter.Workloads.ShouldContain(
            workload => workload.AllContainers.All(container => container.Resources != null && container.Resources.Requests != null && container.Resources.Limits != null
                && CpuAndMemory.All(resource => container.Resources.Requests.ContainsKey(resource) && container.Resources.Limits.ContainsKey(resource)
                    && container.Resources.Requests[resource].ToDecimal() == container.Resources.Limits[resource].ToDecimal())),
            "14: no workload is Guaranteed (requests equal to limits, for CPU and memory, in every container)");
    }

    [Fact]
    public void The_rbac_chapter_gives_a_new_joiner_a_role_its_binding_and_a_cluster_role()
    {
        var chapter = Course.Chapter("15-rbac").Objects;
        var objects = chapter.Where(item => item.File == "role-for-new-joiner.yaml").ToList();

        objects.ShouldContain(item => item.Kind == "Role" && item.Name == "new-joiner", "15: role-for-new-joiner.yaml has no Role new-joiner");
        chapter.ShouldContain(item => item.Kind == "ClusterRole" && item.Name == "new-joiner", "15: no ClusterRole new-joiner");
        var bindings = objects.Select(item => item.Manifest.Model).OfType<V1RoleBinding>().Where(binding => binding.Name() == "new-joiner-role-binding").ToList();
        bindings.ShouldNotBeEmpty("15: role-for-new-joiner.yaml has no RoleBinding new-joiner-role-binding");
        foreach (var binding in bindings)
        {
            binding.RoleRef.Kind.ShouldBe("Role");
            binding.RoleRef.Name.ShouldBe("new-joiner");
            binding.Subjects.ShouldNotBeEmpty();
        }
    }

    [Fact]
    public void The_configmaps_chapter_gives_the_database_address_from_global_database_config_as_variables_and_a_file()
    {
        var chapter = Course.Chapter("16-configmaps-and-secrets");
        chapter.Objects.ShouldContain(item => item.Kind == "ConfigMap" && item.Name == "global-database-config" && item.File == "database-config.yaml", "16: database-config.yaml has no ConfigMap global-database-config");
        var workloads = chapter.Objects.Where(item => item.File == "workloads.yaml").Select(item => Workload.Of(item.Manifest.Model)).OfType<Workload>().ToList();
        var containers = workloads.SelectMany(workload => workload.Pod.Containers).ToList();

        containers.ShouldContain(
            container => container.Env != null && container.Env.Any(variable => variable.ValueFrom != null && variable.ValueFrom.ConfigMapKeyRef != null && variable.ValueFrom.ConfigMapKeyRef.Name == "global-database-config")
                || (container.EnvFrom != null && container.EnvFrom.Any(source => source.ConfigMapRef != null && source.ConfigMapRef.Name == "global-database-config")),
            "16: no container reads global-database-config as variables");
        containers.ShouldContain(container => container.EnvFrom != null && container.EnvFrom.Count > 0, "16: no container uses envFrom");
        workloads.ShouldContain(workload => workload.Pod.Volumes != null && workload.Pod.Volumes.Any(volume => volume.ConfigMap != null), "16: no pod mounts a ConfigMap as a file");
    }

    [Fact]
    public void The_ingress_chapter_routes_the_course_s_hosts_with_basic_auth_on_the_queue_console()
    {
        var chapter = Course.Chapter("17-ingress");
        var basic = Ingress(chapter, "basic-routing", "ingress-lb.yaml");
        ShouldRoute(basic, "fleetmangmt.com", "fleetman-webapp", 80);
        var secure = Ingress(chapter, "secure-routing", "ingress-secure-lb.yaml");
        ShouldRoute(secure, "queue.fleetmangmt.com", "fleetman-queue", 8161);
        secure.Metadata.Annotations.ShouldContainKeyAndValue("nginx.ingress.kubernetes.io/auth-type", "basic");
        secure.Metadata.Annotations.ShouldContainKeyAndValue("nginx.ingress.kubernetes.io/auth-secret", "mycredentials");

        static V1Ingress Ingress(Chapter chapter, string name, string file) => (V1Ingress)chapter.ShouldHave("Ingress", name, file).Manifest.Model!;

        static void ShouldRoute(V1Ingress ingress, string host, string service, int port)
        {
            var rule = ingress.Spec.Rules.SingleOrDefault(rule => rule.Host == host);
            rule.ShouldNotBeNull($"Ingress {ingress.Name()} has no rule for {host}");
            rule.Http.Paths.ShouldContain(path => path.Backend.Service.Name == service && path.Backend.Service.Port.Number == port, $"Ingress {ingress.Name()}: {host} does not go to {service}:{port}");
        }
    }

    [Fact]
    public void The_jobs_chapter_has_a_job_and_a_cron_job()
    {
        var objects = Course.Chapter("18-jobs").Objects;

        objects.ShouldContain(item => item.Kind == "Job" && item.File == "job.yaml", "18-jobs/job.yaml has no Job");
        objects.ShouldContain(item => item.Kind == "CronJob" && item.File == "cronjob.yaml", "18-jobs/cronjob.yaml has no CronJob");
    }

    [Fact]
    public void The_daemonsets_chapter_has_a_daemon_set() =>
        Course.Chapter("19-daemonsets").Objects.ShouldContain(item => item.Kind == "DaemonSet", "19-daemonsets has no DaemonSet");

    [Fact]
    public void The_statefulsets_chapter_runs_mongo_as_three_members_with_their_own_claims_behind_a_headless_service()
    {
        var chapter = Course.Chapter("20-statefulsets");
        var spec = ((V1StatefulSet)chapter.ShouldHave("StatefulSet", "mongo", "mongo-stack.yaml").Manifest.Model!).Spec;
        spec.ServiceName.ShouldBe("mongo");
        spec.Replicas.ShouldBe(3, "pods mongo-0, mongo-1, mongo-2");
        spec.VolumeClaimTemplates.ShouldNotBeEmpty("mongo has no volumeClaimTemplates");
        var service = chapter.Objects.Select(item => item.Manifest.Model).OfType<V1Service>().SingleOrDefault(service => service.Name() == "mongo");
        service.ShouldNotBeNull("20-statefulsets has no Service mongo");
        service.Spec.ClusterIP.ShouldBe("None", "mongo-N.mongo.default.svc.cluster.local needs a headless Service");
    }

    [Fact]
    public void The_patterns_chapter_shows_a_sidecar_and_an_init_container()
    {
        var workloads = Course.Chapter("21-patterns").Workloads;

        workloads.ShouldContain(workload => workload.Pod.Containers.Count > 1, "21-patterns: no pod with a sidecar");
        workloads.ShouldContain(workload => workload.Pod.InitContainers != null && workload.Pod.InitContainers.Count > 0, "21-patterns: no init container");
    }

    [Fact]
    public void The_monitoring_chapter_has_a_pod_monitor_and_alert_rules_for_kube_prometheus_stack()
    {
        var objects = Course.Chapter("10-monitoring").Objects;

        objects.ShouldContain(item => item.Kind == "PodMonitor", "10-monitoring has no PodMonitor");
        objects.ShouldContain(item => item.Kind == "PrometheusRule", "10-monitoring has no PrometheusRule");
    }

    private static IEnumerable<T> Of<T>(string id) => Course.Chapter(id).Objects.Select(item => item.Manifest.Model).OfType<T>();
}
