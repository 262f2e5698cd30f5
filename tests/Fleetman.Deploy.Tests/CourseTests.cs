using YamlDotNet.RepresentationModel;

namespace Fleetman.Deploy.Tests;

/// <summary>
/// The course path, k8s/course: each chapter's folder is what <c>kubectl apply -f</c> reads, with the course's own
/// names, ports and labels so its commands work unchanged; from the probes chapter on, the production policy.
/// </summary>
public sealed class CourseTests
{
    /// <summary>
    /// The namespaces course objects may name, the ones its chapters use (chapter 10's Helm release goes to default,
    /// as the course's did). Anything else (above all the production path's <c>fleetman</c>, whose
    /// Pod Security "restricted" rejects the course's bare pods) would take a chapter out of the course's path.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Namespaces = new Dictionary<string, string>
    {
        ["default"] = "the course works in the default namespace, as the original did",
        ["kube-system"] = "the logging stack sits beside the cluster's own add-ons, as in the course's logging chapter",
        ["playground"] = "the namespace a new joiner may use (chapter 15)",
    };

    /// <summary>The current API versions (no deprecated or removed one), and the one custom group the course installs.</summary>
    private static readonly HashSet<string> ApiVersions = new()
    {
        "v1", "apps/v1", "batch/v1", "autoscaling/v2", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1",
        "scheduling.k8s.io/v1", "policy/v1", "storage.k8s.io/v1", "monitoring.coreos.com/v1", "monitoring.coreos.com/v1alpha1",
    };

    /// <summary>The project's services built as course images (scripts/build-images.sh --course).</summary>
    private static readonly HashSet<string> CourseImages = new()
    {
        "webapp", "queue", "position-simulator", "queue-consumer", "position-tracker", "api-gateway",
    };

    /// <summary>The course's workloads: each one's pods are labelled app: its name, as the course's selectors expect.</summary>
    private static readonly HashSet<string> CourseWorkloads = new()
    {
        "webapp", "queue", "position-simulator", "queue-consumer", "position-tracker", "api-gateway", "mongodb", "redis", "mongo",
    };

    [Fact]
    public void The_chapters_are_the_course_s_in_its_order_numbered_without_gaps()
    {
        var found = Course.Chapters().Select(chapter => chapter.Id).ToList();

        found.ShouldBe(Course.ChapterIds, $"k8s/course holds {string.Join(", ", found)}");
        Course.Chapters().Select(chapter => chapter.Number).ShouldBe(Enumerable.Range(1, found.Count));
    }

    [Fact]
    public void The_course_folder_has_its_index_and_the_secrets_script_and_nothing_to_apply()
    {
        File.Exists(Path.Combine(Course.Root, "README.md")).ShouldBeTrue("k8s/course/README.md, the index");
        File.ReadAllText(Path.Combine(Course.Root, "README.md")).ShouldContain("docs/course/README.md");
        File.Exists(Path.Combine(Course.Root, "create-secrets.sh")).ShouldBeTrue();
        Directory.GetFiles(Course.Root).Where(Course.IsManifestFile).ShouldBeEmpty("the chapters hold the manifests");
    }

    [Theory]
    [MemberData(nameof(Course.All), MemberType = typeof(Course))]
    public void Every_chapter_has_a_readme_with_its_steps_as_commands_and_what_differs_from_the_original(string id)
    {
        var chapter = Course.Chapter(id);

        File.Exists(chapter.ReadmePath).ShouldBeTrue($"{id} has no README.md");
        var readme = chapter.Readme;
        readme.ShouldContain("## Before you start", Case.Sensitive, $"{id}/README.md");
        readme.ShouldContain("## What differs from the original course, and why", Case.Sensitive, $"{id}/README.md");
        CourseReadme.Commands(readme).ShouldContain(command => command.Words.Contains("kubectl"), $"{id}/README.md has no kubectl command in a ```bash block");
    }

    [Theory]
    [MemberData(nameof(Course.All), MemberType = typeof(Course))]
    public void Every_top_level_file_of_a_chapter_is_a_manifest_that_loads_strictly(string id)
    {
        var chapter = Course.Chapter(id);

        // Anything else kubectl apply -f would read or choke on belongs in a subfolder (values/, kops/, ...).
        foreach (var file in Directory.GetFiles(chapter.Folder).Select(Path.GetFileName))
        {
            (file == "README.md" || file!.EndsWith(".yaml", StringComparison.Ordinal)).ShouldBeTrue($"{id}/{file} is not a manifest (*.yaml) nor the README: move it into a subfolder");
        }

        chapter.ManifestFiles.ShouldNotBeEmpty($"{id} has nothing to apply");
        var problems = Course.Problems(chapter.ManifestFiles.Select<string, Action>(file => () =>
        {
            var objects = Renders.Parse(File.ReadAllText(Path.Combine(chapter.Folder, file)), $"{id}/{file}", Course.CustomResourceGroups);
            objects.ShouldNotBeEmpty($"{id}/{file} holds no object");
            foreach (var manifest in objects)
            {
                ApiVersions.ShouldContain(manifest.ApiVersion, $"{id}/{file}: {manifest} uses apiVersion {manifest.ApiVersion}");
            }
        }));
        problems.ShouldHaveNone($"{id}: manifests that kubectl apply would reject");
        chapter.Objects.Select(item => $"{item.Kind}/{item.Namespace}/{item.Name}").ShouldBeUnique($"{id} defines an object twice");
    }

    [Theory]
    [MemberData(nameof(Course.All), MemberType = typeof(Course))]
    public void Custom_resources_are_kube_prometheus_stack_s_each_in_files_of_their_own(string id)
    {
        foreach (var file in Course.Chapter(id).Objects.GroupBy(item => item.File))
        {
            var custom = file.Where(item => item.Manifest.Model is null).ToList();
            custom.ShouldAllBe(item => Course.CustomResourceGroups.Contains(item.Manifest.Group), $"{id}/{file.Key}");
            if (custom.Count > 0)
            {
                // Applied before the operator's CRDs exist, such a file fails; the others must still apply.
                custom.Count.ShouldBe(file.Count(), $"{id}/{file.Key} mixes custom resources with built-in objects");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Course.All), MemberType = typeof(Course))]
    public void Objects_land_only_in_the_course_s_namespaces_and_never_in_fleetman(string id)
    {
        var problems = new List<string>();
        foreach (var item in Course.Chapter(id).Objects)
        {
            if (item.Namespace == "fleetman" || (item.Kind == "Namespace" && item.Name == "fleetman"))
            {
                problems.Add($"{item} is in the production path's namespace fleetman");
            }
            else if (item.Namespace != "" && !Namespaces.ContainsKey(item.Namespace))
            {
                problems.Add($"{item} is in namespace {item.Namespace}, not one of {string.Join(", ", Namespaces.Keys)}");
            }
        }

        problems.ShouldHaveNone($"{id}: objects out of the course's namespaces");
    }

    [Theory]
    [MemberData(nameof(Course.All), MemberType = typeof(Course))]
    public void Services_have_the_course_s_names_types_and_ports(string id)
    {
        var chapter = Course.Chapter(id);
        var eks = chapter.Id == "08-eks";
        var problems = Course.Problems(chapter.Objects.Select(item => item.Manifest.Model).OfType<V1Service>().Select<V1Service, Action>(service => () =>
        {
            var what = $"{id}: Service {service.Name()}";
            switch (service.Name())
            {
                case "fleetman-webapp":
                    ShouldBe(service, what, eks ? "LoadBalancer" : "NodePort", (80, "8080", null, eks ? null : 30080));
                    break;
                case "fleetman-queue":
                    ShouldBe(service, what, eks ? "ClusterIP" : "NodePort", (8161, "8161", "http", eks ? null : 30010), (61616, "61616", "endpoint", null), (61613, "61613", "stomp", null));
                    break;
                case "fleetman-api-gateway":
                    ShouldBe(service, what, eks ? "ClusterIP" : "NodePort", (8080, "8080", null, eks ? null : 30020));
                    break;
                case "fleetman-position-simulator" or "fleetman-position-tracker":
                    ShouldBe(service, what, "ClusterIP", (8080, "8080", null, null));
                    break;
                case "fleetman-mongodb":
                    ShouldBe(service, what, "ClusterIP", (27017, "27017", null, null));
                    break;
                case "fleetman-redis":
                    ShouldBe(service, what, "ClusterIP", (6379, "6379", null, null));
                    break;
                default:
                    break;
            }
        }));
        problems.ShouldHaveNone($"{id}: Services unlike the course's");

        static void ShouldBe(V1Service service, string what, string type, params (int Port, string Target, string? Name, int? NodePort)[] ports)
        {
            (service.Spec.Type ?? "ClusterIP").ShouldBe(type, $"{what} type");
            foreach (var (port, target, name, nodePort) in ports)
            {
                var actual = service.Spec.Ports.SingleOrDefault(candidate => candidate.Port == port);
                actual.ShouldNotBeNull($"{what} has no port {port}");
                var targetPort = ServicePolicy.TargetPort(actual);
                (targetPort == target || (name is not null && targetPort == name)).ShouldBeTrue($"{what} port {port} targets {targetPort}, not {target}");
                if (name is not null)
                {
                    actual.Name.ShouldBe(name, $"{what} port {port} name");
                }

                if (nodePort is not null)
                {
                    actual.NodePort.ShouldBe(nodePort, $"{what} port {port} nodePort");
                }
            }
        }
    }

    [Fact]
    public void The_course_s_services_and_workloads_first_appear_where_the_course_introduces_them()
    {
        var problems = new List<string>();
        foreach (var (kind, name, chapter) in new[]
        {
            ("Pod", "webapp", "01-first-pod"), ("Service", "fleetman-webapp", "02-services"), ("Service", "fleetman-queue", "02-services"),
            ("Pod", "queue", "02-services"), ("ReplicaSet", "webapp", "03-replicasets"), ("Deployment", "webapp", "04-deployments"),
            ("Deployment", "position-simulator", "05-queue-and-simulator"), ("Service", "fleetman-position-simulator", "05-queue-and-simulator"),
            ("Deployment", "queue-consumer", "06-microservices"), ("Deployment", "position-tracker", "06-microservices"),
            ("Deployment", "api-gateway", "06-microservices"), ("Deployment", "mongodb", "06-microservices"),
            ("Service", "fleetman-position-tracker", "06-microservices"), ("Service", "fleetman-api-gateway", "06-microservices"),
            ("Service", "fleetman-mongodb", "06-microservices"), ("StatefulSet", "mongo", "20-statefulsets"), ("Service", "mongo", "20-statefulsets"),
        })
        {
            var first = Course.Chapters().FirstOrDefault(candidate => candidate.Objects.Any(item => item.Kind == kind && item.Name == name));
            if (first?.Id != chapter)
            {
                problems.Add($"{kind}/{name} first appears in {first?.Id ?? "no chapter"}, not {chapter}");
            }
        }

        problems.ShouldHaveNone("the course's objects out of place");
    }

    [Theory]
    [MemberData(nameof(Course.All), MemberType = typeof(Course))]
    public void Course_workloads_are_pods_then_replica_sets_then_deployments_whose_pods_are_labelled_app_and_their_name(string id)
    {
        var chapter = Course.Chapter(id);
        var problems = new List<string>();
        foreach (var workload in chapter.Workloads)
        {
            var labels = workload.Template.Metadata?.Labels ?? new Dictionary<string, string>();
            var named = CourseWorkloads.Contains(workload.Name) ? workload.Name : null;
            if (named is not null && labels.Label("app") != named)
            {
                problems.Add($"{id}: {workload}'s pods are not labelled app: {named}");
            }

            // The course's progression: bare pods, then ReplicaSets, then Deployments; later chapters may show
            // other controllers (a DaemonSet), never a bare pod or ReplicaSet again. A new joiner's pod in
            // playground (chapter 15) is their own.
            var ns = chapter.Objects.First(item => item.Kind == workload.Kind && item.Name == workload.Name).Namespace;
            if (named is "webapp" or "queue" && ns == "default")
            {
                var kind = chapter.Number switch { <= 2 => "Pod", 3 => "ReplicaSet", _ => "Deployment" };
                if (chapter.Number <= 4 ? workload.Kind != kind : workload.Kind is "Pod" or "ReplicaSet")
                {
                    problems.Add($"{id}: {workload} should be a {kind}, as in the course");
                }
            }
        }

        problems.ShouldHaveNone($"{id}: workloads unlike the course's");
    }

    [Fact]
    public void Webapp_pods_carry_a_release_and_fleetman_webapp_selects_release_0_5_until_the_deployments_chapter()
    {
        var problems = new List<string>();
        foreach (var chapter in Course.Chapters())
        {
            var webapps = chapter.Workloads.Where(workload => workload.Template.Metadata?.Labels.Label("app") == "webapp").ToList();
            foreach (var service in chapter.Objects.Select(item => item.Manifest.Model).OfType<V1Service>().Where(service => service.Name() == "fleetman-webapp"))
            {
                var expected = chapter.Number is 2 or 3
                    ? new Dictionary<string, string> { ["app"] = "webapp", ["release"] = "0-5" }
                    : new Dictionary<string, string> { ["app"] = "webapp" };
                if (!service.Spec.Selector.OrderBy(pair => pair.Key).SequenceEqual(expected.OrderBy(pair => pair.Key)))
                {
                    problems.Add($"{chapter.Id}: Service fleetman-webapp selects {Show(service.Spec.Selector)}, not {Show(expected)}");
                }
            }

            if (chapter.Number is 2 or 3)
            {
                foreach (var webapp in webapps)
                {
                    var release = webapp.Template.Metadata.Labels.Label("release");
                    if (release is not ("0" or "0-5"))
                    {
                        problems.Add($"{chapter.Id}: {webapp} has release label '{release}', not \"0\" or \"0-5\"");
                    }
                    else if (webapp.Pod.Containers[0].Image != $"fleetman-course/webapp:release{release}")
                    {
                        problems.Add($"{chapter.Id}: {webapp} is labelled release {release} but runs {webapp.Pod.Containers[0].Image}");
                    }
                }
            }

            if (chapter.Number == 2)
            {
                var releases = webapps.Select(webapp => webapp.Template.Metadata.Labels.Label("release")).ToHashSet();
                if (!releases.SetEquals(["0", "0-5"]))
                {
                    problems.Add($"{chapter.Id}: the webapp pods are of releases {string.Join(", ", releases)}, not both 0 and 0-5 side by side");
                }
            }
        }

        problems.ShouldHaveNone("release labels and the Service selecting by them");

        static string Show(IDictionary<string, string> labels) => string.Join(", ", labels.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key}={pair.Value}"));
    }

    [Theory]
    [MemberData(nameof(Course.All), MemberType = typeof(Course))]
    public void Label_annotation_data_and_variable_values_are_strings_in_the_yaml_itself(string id)
    {
        // kubectl rejects release: 0 or an env value: 8080 (numbers where strings belong); the client's models would
        // quietly take them as "0" and "8080".
        var chapter = Course.Chapter(id);
        var problems = new List<string>();
        foreach (var file in chapter.ManifestFiles)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(Path.Combine(chapter.Folder, file))));
            foreach (var document in stream.Documents)
            {
                Visit(document.RootNode, null);
            }

            void Visit(YamlNode node, string? key)
            {
                switch (node)
                {
                    case YamlMappingNode mapping:
                        foreach (var pair in mapping.Children)
                        {
                            var name = (pair.Key as YamlScalarNode)?.Value;
                            var stringValued = key is "labels" or "matchLabels" or "selector" or "nodeSelector" or "annotations" or "data" or "stringData"
                                || (key == "env[]" && name == "value");
                            if (stringValued && pair.Value is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar && NotAString(scalar.Value))
                            {
                                problems.Add($"{id}/{file}: {key}.{name} is {scalar.Value}, which YAML reads as no string: quote it");
                            }
                            else
                            {
                                Visit(pair.Value, name);
                            }
                        }

                        break;
                    case YamlSequenceNode sequence:
                        foreach (var item in sequence.Children)
                        {
                            Visit(item, key == "env" ? "env[]" : null);
                        }

                        break;
                    default:
                        break;
                }
            }
        }

        problems.ShouldHaveNone($"{id}: values kubectl rejects as no strings");

        static bool NotAString(string? value) => value is null or "" or "~" or "null" or "Null" or "NULL" or "true" or "True" or "TRUE" or "false" or "False" or "FALSE"
            || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    [Theory]
    [MemberData(nameof(Course.All), MemberType = typeof(Course))]
    public void Every_service_selects_pods_of_its_chapter_or_an_earlier_one_on_a_port_they_have(string id)
    {
        var chapter = Course.Chapter(id);
        var workloads = Course.UpTo(chapter).Select(item => Workload.Of(item.Manifest.Model)).OfType<Workload>().ToList();
        var problems = new List<string>();
        foreach (var service in chapter.Objects.Select(item => item.Manifest.Model).OfType<V1Service>())
        {
            var selected = workloads.Where(workload => WorkloadPolicyTests.Selects(new V1LabelSelector { MatchLabels = service.Spec.Selector }, workload.Template.Metadata?.Labels)).ToList();
            if (selected.Count == 0)
            {
                problems.Add($"{id}: Service {service.Name()} selects {string.Join(",", (service.Spec.Selector ?? new Dictionary<string, string>()).Select(pair => $"{pair.Key}={pair.Value}"))}: no pod of this chapter or an earlier one");
                continue;
            }

            foreach (var port in service.Spec.Ports.Where(port => !selected.Any(workload => ServicePolicy.HasTargetPort(workload, port))))
            {
                problems.Add($"{id}: Service {service.Name()} port {port.Port} targets {ServicePolicy.TargetPort(port)}, which no pod it selects declares");
            }
        }

        problems.ShouldHaveNone($"{id}: Services that reach no pod");
    }

    [Theory]
    [MemberData(nameof(Course.All), MemberType = typeof(Course))]
    public void Every_image_is_a_course_image_of_a_release_or_a_pinned_third_party_one(string id)
    {
        var problems = Course.Problems(Course.Chapter(id).Workloads.SelectMany(workload => workload.AllContainers.Select<V1Container, Action>(container => () =>
        {
            var what = $"{id}: {workload} container {container.Name}";
            var image = container.Image;
            if (image.StartsWith("fleetman-course/", StringComparison.Ordinal))
            {
                var (name, tag) = (image["fleetman-course/".Length..].Split(':')[0], image.Contains(':', StringComparison.Ordinal) ? image.Split(':')[1] : "");
                CourseImages.ShouldContain(name, $"{what}: {image} is no course image");
                tag.ShouldBeOneOf(["release0", "release0-5"], $"{what}: {image} is not of release 0 or 0-5");
            }
            else
            {
                image.StartsWith("fleetman/", StringComparison.Ordinal).ShouldBeFalse($"{what}: {image} is a production image, which has no shell for the course's steps");
                WorkloadPolicy.ShouldBePinned(image, what);
            }
        })));

        problems.ShouldHaveNone($"{id}: images");
    }

    [Theory]
    [MemberData(nameof(FilesByName))]
    public void Chapters_hold_the_files_the_course_applies_by_name(string id, string files)
    {
        var chapter = Course.Find(id);
        chapter.ShouldNotBeNull($"{id} is missing");
        foreach (var file in files.Split(' '))
        {
            File.Exists(Path.Combine(chapter.Folder, file)).ShouldBeTrue($"{id} has no {file}");
        }
    }

    public static TheoryData<string, string> FilesByName() => new()
    {
        { "01-first-pod", "first-pod.yaml" },
        { "02-services", "pods.yaml services.yaml" },
        { "03-replicasets", "pods-replicaset.yaml services.yaml" },
        { "04-deployments", "pods-deployment.yaml services.yaml" },
        { "05-queue-and-simulator", "workloads.yaml services.yaml" },
        { "07-persistence", "mongo-stack.yaml storage.yaml" },
        { "08-eks", "storage-aws.yaml kops/cluster.yaml" },
        { "09-logging", "fluentd-config.yaml elastic-stack.yaml" },
        { "12-autoscaling", "autoscaling-rules.yaml" },
        { "15-rbac", "role-for-new-joiner.yaml" },
        { "16-configmaps-and-secrets", "database-config.yaml workloads.yaml" },
        { "17-ingress", "ingress-lb.yaml ingress-secure-lb.yaml" },
        { "18-jobs", "job.yaml cronjob.yaml" },
        { "20-statefulsets", "mongo-stack.yaml" },
        { "22-jenkins", "jenkins.yaml" },
    };

    [Theory]
    [MemberData(nameof(Course.Production), MemberType = typeof(Course))]
    public void From_the_probes_chapter_on_every_workload_follows_the_production_policy(string id)
    {
        var checks = new List<Action>();

        // The controllers the policy names; a bare Pod there is a demonstration (the QoS classes of chapter 14 need
        // pods without limits), never how Fleetman runs.
        foreach (var workload in Course.Chapter(id).Workloads.Where(workload => workload.Kind is not "Pod"))
        {
            foreach (var container in workload.Pod.Containers.Where(_ => !workload.RunsToCompletion))
            {
                checks.Add(() => WorkloadPolicy.ShouldHaveProbes(container, $"{id}: {workload} container {container.Name}", startup: true));
            }

            foreach (var container in workload.AllContainers)
            {
                var what = $"{id}: {workload} container {container.Name}";
                checks.Add(() => WorkloadPolicy.ShouldRequestAndLimitCpuAndMemory(container, what));
                checks.Add(() => (container.SecurityContext?.SeccompProfile?.Type ?? workload.Pod.SecurityContext?.SeccompProfile?.Type)
                    .ShouldBe("RuntimeDefault", $"{what} has no RuntimeDefault seccomp profile (pod or container)"));
            }

            checks.Add(() => WorkloadPolicy.ShouldRunUnprivileged(workload, id));
        }

        Course.Problems(checks).ShouldHaveNone($"{id}: workloads short of the production policy");
    }

    [Theory]
    [MemberData(nameof(Course.Bare), MemberType = typeof(Course))]
    public void Chapters_before_the_probes_chapter_say_their_manifests_are_bare_on_purpose(string id) =>
        Course.Chapter(id).Readme.ShouldContain("bare on purpose", Case.Insensitive, $"{id}/README.md does not say that its manifests are bare on purpose");
}
