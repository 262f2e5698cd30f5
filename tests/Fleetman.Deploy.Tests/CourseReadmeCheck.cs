using System.Text.RegularExpressions;
using Fleetman.Testing;
using k8s.Models;

namespace Fleetman.Deploy.Tests;

/// <summary>An object as the README checks know it: where it is, its labels, and the labels of the pods it runs.</summary>
public sealed record KnownObject(string Kind, string Namespace, string Name, IReadOnlyList<IDictionary<string, string>> Labels, string Source);

/// <summary>
/// Follows a course's READMEs in order and reports every object a kubectl or helm command names that no chapter
/// file up to there and no earlier command (kubectl create, kubectl autoscale, helm install, the secrets script)
/// has made, every label selector that matches nothing, and every file or script that is not there.
/// </summary>
public sealed partial class ReadmeCheck
{
    /// <summary>What Kubernetes itself or a minikube add-on provides: the only objects a README may name without making them.</summary>
    public static readonly IReadOnlyDictionary<(string Kind, string Namespace, string Name), string> Provided = new Dictionary<(string, string, string), string>
    {
        [("Namespace", "", "default")] = "every cluster has it",
        [("Namespace", "", "kube-system")] = "every cluster has it",
        [("Namespace", "", "kube-public")] = "every cluster has it",
        [("Namespace", "", "kube-node-lease")] = "every cluster has it",
        [("Namespace", "", "ingress-nginx")] = "minikube's ingress add-on installs its controller there",
        [("Service", "default", "kubernetes")] = "the API server's own Service, in every cluster",
        [("Service", "kube-system", "kube-dns")] = "the cluster DNS (CoreDNS) behind its historical Service name",
        [("Deployment", "kube-system", "coredns")] = "the cluster DNS",
        [("Deployment", "kube-system", "metrics-server")] = "minikube's metrics-server add-on, which kubectl top and autoscalers need",
        [("Service", "kube-system", "metrics-server")] = "minikube's metrics-server add-on",
        [("Deployment", "ingress-nginx", "ingress-nginx-controller")] = "minikube's ingress add-on",
        [("Service", "ingress-nginx", "ingress-nginx-controller")] = "minikube's ingress add-on",
        [("Node", "", "minikube")] = "minikube's one node",
        [("ClusterRole", "", "cluster-admin")] = "one of Kubernetes' default user-facing ClusterRoles",
        [("ClusterRole", "", "admin")] = "one of Kubernetes' default user-facing ClusterRoles",
        [("ClusterRole", "", "edit")] = "one of Kubernetes' default user-facing ClusterRoles",
        [("ClusterRole", "", "view")] = "one of Kubernetes' default user-facing ClusterRoles",
    };

    /// <summary>Label selectors of pods Kubernetes or an add-on runs.</summary>
    public static readonly IReadOnlyDictionary<(string Namespace, string Selector), string> ProvidedSelectors = new Dictionary<(string, string), string>
    {
        [("kube-system", "k8s-app=kube-dns")] = "CoreDNS's pods",
        [("kube-system", "k8s-app=metrics-server")] = "minikube's metrics-server add-on",
        [("ingress-nginx", "app.kubernetes.io/component=controller")] = "minikube's ingress add-on",
        [("kube-system", "app.kubernetes.io/name=aws-ebs-csi-driver")] = "the EBS CSI driver, the EKS add-on the eksctl cluster of chapter 08 installs",
    };

    /// <summary>Each kind with the names kubectl accepts for it (short name, singular, plural).</summary>
    private static readonly Dictionary<string, string> Kinds = new[]
    {
        "Pod: po pod pods",
        "Service: svc service services",
        "Deployment: deploy deployment deployments",
        "ReplicaSet: rs replicaset replicasets",
        "StatefulSet: sts statefulset statefulsets",
        "DaemonSet: ds daemonset daemonsets",
        "ConfigMap: cm configmap configmaps",
        "Secret: secret secrets",
        "Namespace: ns namespace namespaces",
        "PersistentVolumeClaim: pvc persistentvolumeclaim persistentvolumeclaims",
        "PersistentVolume: pv persistentvolume persistentvolumes",
        "StorageClass: sc storageclass storageclasses",
        "HorizontalPodAutoscaler: hpa horizontalpodautoscaler horizontalpodautoscalers",
        "ServiceAccount: sa serviceaccount serviceaccounts",
        "Ingress: ing ingress ingresses",
        "Job: job jobs",
        "CronJob: cj cronjob cronjobs",
        "Role: role roles",
        "RoleBinding: rolebinding rolebindings",
        "ClusterRole: clusterrole clusterroles",
        "ClusterRoleBinding: clusterrolebinding clusterrolebindings",
        "PriorityClass: pc priorityclass priorityclasses",
        "ResourceQuota: quota resourcequota resourcequotas",
        "LimitRange: limits limitrange limitranges",
        "PodDisruptionBudget: pdb poddisruptionbudget poddisruptionbudgets",
        "Node: no node nodes",
        "Endpoints: ep endpoints",
        "EndpointSlice: endpointslice endpointslices",
        "Event: ev event events",
        "NetworkPolicy: netpol networkpolicy networkpolicies",
        "CertificateSigningRequest: csr certificatesigningrequest certificatesigningrequests",
        "CustomResourceDefinition: crd crds customresourcedefinition customresourcedefinitions",
        "IngressClass: ingressclass ingressclasses",
        "ServiceMonitor: servicemonitor servicemonitors",
        "PodMonitor: podmonitor podmonitors",
        "PrometheusRule: prometheusrule prometheusrules",
        "Prometheus: prometheus prometheuses",
        "Alertmanager: alertmanager alertmanagers",
        "AlertmanagerConfig: alertmanagerconfig alertmanagerconfigs",
    }.SelectMany(line => line.Split(": ")[1].Split(' ').Select(alias => (Alias: alias, Kind: line.Split(": ")[0])))
        .ToDictionary(entry => entry.Alias, entry => entry.Kind);

    /// <summary>Kinds whose objects the cluster makes and names itself: listed, never named.</summary>
    private static readonly HashSet<string> Unnamed = new() { "Event", "Endpoints", "EndpointSlice" };

    /// <summary>kubectl flags that take a value (the next word unless written --flag=value).</summary>
    private static readonly HashSet<string> ValueFlags = new()
    {
        "-n", "--namespace", "-l", "--selector", "-o", "--output", "-c", "--container", "-f", "--filename", "-k", "--kustomize",
        "-p", "--patch", "--patch-file", "--type", "--from", "--to-revision", "--revision", "--replicas", "--image", "--cpu-percent", "--min", "--max",
        "--field-selector", "--tail", "--since", "--timeout", "--for", "-L", "--label-columns", "--sort-by", "--context", "--cluster",
        "--user", "--kubeconfig", "--server", "--certificate-authority", "--client-certificate", "--client-key", "--token", "--as",
        "--grace-period", "--port", "--target-port", "--name", "--from-literal", "--from-file", "--from-env-file", "--role",
        "--clusterrole", "--serviceaccount", "--group", "--verb", "--resource", "--schedule", "--restart", "--env", "--overrides",
        "--limits", "--requests", "--protocol", "--hard", "--template", "--request-timeout", "--username", "--password",
        "--docker-server", "--docker-username", "--docker-password", "--docker-email", "--cert", "--key", "--value", "--description",
        "--duration", "--cascade", "--dry-run", "--containers", "--address",
    };

    private static readonly HashSet<string> BooleanFlags = new()
    {
        "-i", "-t", "-it", "-ti", "--stdin", "--tty", "--rm", "-w", "--watch", "--watch-only", "-A", "--all-namespaces", "--all",
        "--show-labels", "--force", "--now", "--wait", "--overwrite", "--recursive", "-R", "--previous", "--follow", "--embed-certs",
        "--no-headers", "--show-kind", "--ignore-not-found", "--ignore-daemonsets", "--delete-emptydir-data", "--quiet", "-q",
        "--insecure-skip-tls-verify", "--current", "--list", "--prefix", "--raw", "--include-uninitialized",
    };

    private static readonly HashSet<string> HelmValueFlags = new()
    {
        "-n", "--namespace", "-f", "--values", "--set", "--set-string", "--set-file", "--set-json", "--version", "--timeout", "--repo",
        "--kube-context", "--kubeconfig", "-o", "--output",
    };

    /// <summary>The source of a StatefulSet's pods: they come back when deleted, under the same names.</summary>
    private const string MemberOf = "member of StatefulSet ";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Yaml, string From), IReadOnlyList<Manifest>> ParsedFiles = new();

    private readonly List<KnownObject> known = [];
    private readonly List<(string What, string Kind, string Namespace, string Name)> pending = [];
    private readonly Dictionary<(string Namespace, string Name), V1StatefulSet> statefulSets = [];
    private readonly List<(string Name, string Namespace, bool OwnsNamespace)> releases = [];
    private readonly Dictionary<string, string> writtenFiles = [];
    private readonly List<string> problems = [];
    private readonly HashSet<string> applied = [];
    private string source = "";
    private string directory = Repository.Root;

    /// <summary>Every problem found so far, each with its README line and command.</summary>
    public IReadOnlyList<string> Problems => problems;

    /// <summary>The full paths of the files and folders kubectl apply, create or replace was given (directly or through a pipe).</summary>
    public IReadOnlySet<string> Applied => applied;

    /// <summary>
    /// What a chapter's files put in the cluster, in the order kubectl applies them: an object in a namespace other
    /// than default needs the namespace to exist by then (kubectl apply -f of a folder goes by file name).
    /// </summary>
    public void Add(IEnumerable<Manifest> manifests, string from)
    {
        foreach (var manifest in manifests)
        {
            var kind = manifest.Kind;
            var ns = Course.ClusterScoped.Contains(kind) ? "" : manifest.Namespace ?? "default";
            if (ns is not ("" or "default") && !Exists("Namespace", "", ns))
            {
                var problem = $"{from}: {kind}/{manifest.Name} is in namespace {ns}, which nothing has made by then";
                problems.Add(source == "" ? problem : $"{source}: {problem}");
            }

            var labels = new List<IDictionary<string, string>>();
            if (manifest.Model is IMetadata<V1ObjectMeta> { Metadata.Labels: { } own })
            {
                labels.Add(own);
            }

            var workload = Workload.Of(manifest.Model);
            if (workload?.Template.Metadata?.Labels is { } podLabels)
            {
                labels.Add(workload.RunsToCompletion ? new Dictionary<string, string>(podLabels) { ["job-name"] = manifest.Name } : podLabels);
            }

            known.Add(new KnownObject(kind, ns, manifest.Name, labels, from));
            pending.AddRange(References(manifest.Model).Select(reference => (
                $"{from}: {kind}/{manifest.Name}", reference.Kind, Course.ClusterScoped.Contains(reference.Kind) ? "" : ns, reference.Name)));
            if (manifest.Model is V1StatefulSet set)
            {
                statefulSets[(ns, manifest.Name)] = set;
                Members(ns, manifest.Name, set, set.Spec.Replicas ?? 1, from);
            }
        }
    }

    /// <summary>
    /// The objects an object needs to work: the Secrets, ConfigMaps, claims, service account and priority class its
    /// pods use (unless optional), an autoscaler's target, a binding's role, an Ingress's Services and auth Secret.
    /// </summary>
    private static IEnumerable<(string Kind, string Name)> References(object? model)
    {
        if (Workload.Of(model) is { } workload)
        {
            var pod = workload.Pod;
            foreach (var container in workload.AllContainers)
            {
                foreach (var variable in container.Env ?? [])
                {
                    if (variable.ValueFrom?.SecretKeyRef is { Optional: not true } secret)
                    {
                        yield return ("Secret", secret.Name);
                    }

                    if (variable.ValueFrom?.ConfigMapKeyRef is { Optional: not true } map)
                    {
                        yield return ("ConfigMap", map.Name);
                    }
                }

                foreach (var source in container.EnvFrom ?? [])
                {
                    if (source.SecretRef is { Optional: not true } secret)
                    {
                        yield return ("Secret", secret.Name);
                    }

                    if (source.ConfigMapRef is { Optional: not true } map)
                    {
                        yield return ("ConfigMap", map.Name);
                    }
                }
            }

            foreach (var volume in pod.Volumes ?? [])
            {
                var projected = volume.Projected?.Sources ?? [];
                foreach (var secret in projected.Select(source => source.Secret).Append(volume.Secret is null ? null : new V1SecretProjection { Name = volume.Secret.SecretName, Optional = volume.Secret.Optional }))
                {
                    if (secret is { Optional: not true })
                    {
                        yield return ("Secret", secret.Name);
                    }
                }

                foreach (var map in projected.Select(source => source.ConfigMap).Append(volume.ConfigMap is null ? null : new V1ConfigMapProjection { Name = volume.ConfigMap.Name, Optional = volume.ConfigMap.Optional }))
                {
                    if (map is { Optional: not true })
                    {
                        yield return ("ConfigMap", map.Name);
                    }
                }

                if (volume.PersistentVolumeClaim is { } claim)
                {
                    yield return ("PersistentVolumeClaim", claim.ClaimName);
                }
            }

            if (pod.ServiceAccountName is { } account and not "default")
            {
                yield return ("ServiceAccount", account);
            }

            if (pod.PriorityClassName is { } priority and not ("system-cluster-critical" or "system-node-critical"))
            {
                yield return ("PriorityClass", priority);
            }
        }

        switch (model)
        {
            case V2HorizontalPodAutoscaler autoscaler:
                yield return (autoscaler.Spec.ScaleTargetRef.Kind, autoscaler.Spec.ScaleTargetRef.Name);
                break;
            case V1RoleBinding binding:
                yield return (binding.RoleRef.Kind, binding.RoleRef.Name);
                break;
            case V1ClusterRoleBinding binding:
                yield return (binding.RoleRef.Kind, binding.RoleRef.Name);
                break;
            case V1Ingress ingress:
                foreach (var backend in (ingress.Spec.Rules ?? []).SelectMany(rule => rule.Http?.Paths ?? []).Select(path => path.Backend.Service).Append(ingress.Spec.DefaultBackend?.Service).OfType<V1IngressServiceBackend>())
                {
                    yield return ("Service", backend.Name);
                }

                if (ingress.Metadata.Annotations?.TryGetValue("nginx.ingress.kubernetes.io/auth-secret", out var auth) == true)
                {
                    yield return ("Secret", auth);
                }

                break;
            default:
                break;
        }
    }

    /// <summary>What the objects of the last command need must exist once it has run (kubectl applies a folder as a whole).</summary>
    private void CheckReferences()
    {
        foreach (var (what, kind, ns, name) in pending.Where(reference => !Exists(reference.Kind, reference.Namespace, reference.Name)).Distinct())
        {
            var problem = $"{what} needs {kind} {name}{(ns == "" ? "" : $" (namespace {ns})")}, which nothing has made by then";
            problems.Add(source == "" ? problem : $"{source}: {problem}");
        }

        pending.Clear();
    }

    /// <summary>A StatefulSet's pods and claims have stable names: mongo-0, mongo-1, ...; data-mongo-0, data-mongo-1, ...</summary>
    private void Members(string ns, string name, V1StatefulSet set, int replicas, string from)
    {
        for (var ordinal = 0; ordinal < replicas; ordinal++)
        {
            known.Add(new KnownObject("Pod", ns, $"{name}-{ordinal}", [set.Spec.Template.Metadata.Labels], MemberOf + name));
            foreach (var claim in set.Spec.VolumeClaimTemplates ?? [])
            {
                known.Add(new KnownObject("PersistentVolumeClaim", ns, $"{claim.Name()}-{name}-{ordinal}", [], from));
            }
        }
    }

    /// <summary>
    /// Pod templates a program the chapter runs starts pods from (Jenkins' agent pods, from the chapter's jenkins/
    /// folder): their pods have generated names, so only their labels count.
    /// </summary>
    public void AddPodTemplates(IEnumerable<IDictionary<string, string>> labels, string from) =>
        known.AddRange(labels.Select(podLabels => new KnownObject("Pod", "default", "", [podLabels], from)));

    /// <summary>Follows one README's commands in order: each must name what exists by then; what it creates exists after it.</summary>
    public void Follow(string markdown, string readme)
    {
        directory = Repository.Root;
        IReadOnlyList<ShellCommand> commands;
        try
        {
            commands = CourseReadme.Commands(markdown);
        }
        catch (InvalidDataException e)
        {
            problems.Add($"{readme}: {e.Message}");
            return;
        }

        CheckReferences();
        foreach (var command in commands)
        {
            source = $"{readme} {command}";
            try
            {
                Follow(command);
            }
            catch (InvalidDataException e)
            {
                Problem(e.Message);
            }

            CheckReferences();
        }

        source = "";
    }

    private void Problem(string message)
    {
        // A path both an option and the general look at paths check is one problem.
        if (!problems.Contains($"{source}: {message}"))
        {
            problems.Add($"{source}: {message}");
        }
    }

    private void Follow(ShellCommand command)
    {
        var words = command.Words.SkipWhile(word => Assignment().IsMatch(word)).ToList();
        if (words.Count > 0 && words[0] is "sudo" or "watch" or "time" or "exec" or "bash" or "sh")
        {
            // A wrapper: what it runs is the first kubectl, helm or script among its words.
            words = [.. words.SkipWhile(word => word is not ("kubectl" or "helm") && !ScriptPath().IsMatch(word))];
        }

        if (words.Count == 0)
        {
            return;
        }

        foreach (var output in command.Outputs)
        {
            writtenFiles[Path.GetFullPath(output, directory)] = command.Stdin ?? "";
        }

        var program = words[0];
        switch (program)
        {
            case "kubectl":
                Kubectl(words.Skip(1).ToList(), command);
                break;
            case "helm":
                Helm(words.Skip(1).ToList());
                break;
            case "cd":
                // Relative paths after it are the learner's from there; a folder outside the checkout is theirs to make.
                directory = words.Count == 1 || words[1] is "-" or "~" ? Repository.Root : Path.GetFullPath(words[1].Replace("~", Environment.GetEnvironmentVariable("HOME"), StringComparison.Ordinal), directory);
                break;
            default:
                if (ScriptPath().IsMatch(program))
                {
                    Script(words);
                }

                break;
        }

        // Any path of the repository a command names (a script, a chapter file) must be there.
        foreach (var word in words.Skip(1).Select(word => word.Contains('=', StringComparison.Ordinal) ? word[(word.IndexOf('=', StringComparison.Ordinal) + 1)..] : word)
            .Where(word => RepositoryPath().IsMatch(word) && !word.Contains('$', StringComparison.Ordinal)))
        {
            if (!File.Exists(Path.Combine(Repository.Root, word)) && !Directory.Exists(Path.Combine(Repository.Root, word)))
            {
                Problem($"{word} does not exist");
            }
        }
    }

    private void Script(List<string> words)
    {
        var path = Path.GetFullPath(words[0], directory);
        if (!File.Exists(path))
        {
            Problem($"{words[0]} does not exist");
            return;
        }

        if (Path.GetFullPath(path) == Path.Combine(Course.Root, "create-secrets.sh"))
        {
            var ns = Option(words, "-n", "--namespace") ?? "default";
            RequireNamespace(ns);
            known.Add(new KnownObject("Secret", ns, "fleetman-credentials", [], "k8s/course/create-secrets.sh"));
        }
    }

    private void Helm(List<string> args)
    {
        if (args.Count == 0)
        {
            return;
        }

        var positional = new List<string>();
        string? ns = null;
        var createNamespace = false;
        var install = args.Contains("--install");
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            var (flag, value) = SplitFlag(arg);
            if (!arg.StartsWith('-'))
            {
                positional.Add(arg);
                continue;
            }

            if (HelmValueFlags.Contains(flag) && value is null)
            {
                value = i + 1 < args.Count ? args[++i] : throw new InvalidDataException($"{flag} without a value");
            }

            if (flag is "-n" or "--namespace")
            {
                ns = value;
            }
            else if (flag is "-f" or "--values")
            {
                RequireFile(value!);
            }
            else if (flag == "--create-namespace")
            {
                createNamespace = true;
            }
        }

        ns ??= "default";
        switch (args[0])
        {
            case "install" or "upgrade" when positional.Count >= 2:
                if (args[0] == "upgrade" && !install && !releases.Any(release => release.Name == positional[0] && release.Namespace == ns))
                {
                    Problem($"helm release {positional[0]} (namespace {ns}) is not installed by then");
                }

                if (createNamespace)
                {
                    known.Add(new KnownObject("Namespace", "", ns, [], "helm --create-namespace"));
                }
                else
                {
                    RequireNamespace(ns);
                }

                releases.Add((positional[0], ns, createNamespace || ns != "default"));
                break;
            case "uninstall" or "delete" or "status" or "get" or "history" or "rollback" or "test":
                var name = args[0] == "get" ? positional.ElementAtOrDefault(1) : positional.ElementAtOrDefault(0);
                if (name is not null && !releases.Any(release => release.Name == name && release.Namespace == ns))
                {
                    Problem($"helm release {name} (namespace {ns}) is not installed by then");
                }

                if (args[0] is "uninstall" or "delete")
                {
                    releases.RemoveAll(release => release.Name == name && release.Namespace == ns);
                }

                break;
            default:
                break;
        }
    }

    private void Kubectl(List<string> args, ShellCommand command)
    {
        // Flags anywhere; positional words in order; -- ends kubectl's words (exec's command follows).
        var positional = new List<string>();
        var flags = new List<(string Flag, string? Value)>();
        string? verb = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                break;
            }

            if (!arg.StartsWith('-') || arg == "-")
            {
                if (verb is null)
                {
                    verb = arg;
                }
                else
                {
                    positional.Add(arg);
                }

                continue;
            }

            var (flag, value) = SplitFlag(arg);
            var boolean = BooleanFlags.Contains(flag) || (verb == "logs" && flag is "-f" or "-p");
            if (value is null && !boolean)
            {
                if (!ValueFlags.Contains(flag))
                {
                    throw new InvalidDataException($"kubectl flag {flag} is unknown to the README check: add it to ValueFlags or BooleanFlags");
                }

                value = i + 1 < args.Count ? args[++i] : throw new InvalidDataException($"{flag} without a value");
            }

            flags.Add((flag, value));
        }

        if (verb is null)
        {
            return;
        }

        var allNamespaces = flags.Any(flag => flag.Flag is "-A" or "--all-namespaces");
        var ns = flags.LastOrDefault(flag => flag.Flag is "-n" or "--namespace").Value ?? "default";
        if (!allNamespaces)
        {
            RequireNamespace(ns);
        }

        var selector = flags.LastOrDefault(flag => flag.Flag is "-l" or "--selector").Value;
        foreach (var file in flags.Where(flag => flag.Flag is "-f" or "--filename" && verb != "logs").Select(flag => flag.Value!))
        {
            if (file == "-")
            {
                if (verb is "apply" or "create" && command.Stdin is { } stdin)
                {
                    Created(stdin, "a here-document", ns);
                }
                else if (verb is "apply" or "create")
                {
                    // sed ... FILE | kubectl apply -f -: the objects of FILE, edited on the way.
                    foreach (var path in command.Upstream.Where(word => word.EndsWith(".yaml", StringComparison.Ordinal) && !word.Contains('$', StringComparison.Ordinal)))
                    {
                        if (RequireFile(path) is { } found)
                        {
                            applied.Add(found);
                            CreatedFrom(found, ns, edited: true);
                        }
                    }
                }
            }
            else if (!file.StartsWith("http", StringComparison.Ordinal))
            {
                var path = RequireFile(file);
                if (path is not null && verb is "apply" or "create" or "replace")
                {
                    applied.Add(path.TrimEnd('/'));
                    CreatedFrom(path, ns);
                }
                else if (path is not null && verb == "delete")
                {
                    // kubectl delete -f fails on what is not there (NotFound) unless told --ignore-not-found.
                    foreach (var manifest in ManifestsIn(path))
                    {
                        if (!flags.Any(flag => flag.Flag == "--ignore-not-found"))
                        {
                            Require(manifest.Kind, manifest.Namespace ?? ns, manifest.Name);
                        }

                        Forget(manifest.Kind, manifest.Namespace ?? ns, manifest.Name);
                    }
                }
            }
        }

        switch (verb)
        {
            case "delete":
                foreach (var (kind, name) in Resources(positional, false, ns, allNamespaces))
                {
                    Forget(kind, ns, name);
                }

                break;
            case "get" or "describe" or "edit" or "patch" or "label" or "annotate" or "wait" or "top":
                Resources(positional, verb is "label" or "annotate", ns, allNamespaces);

                break;
            case "logs" or "exec" or "attach" or "port-forward":
                if (positional.Count > 0)
                {
                    Pod(positional[0], ns);
                }

                break;
            case "cp":
                foreach (var remote in positional.Where(word => word.Contains(':', StringComparison.Ordinal)))
                {
                    Pod(remote.Split(':')[0], ns);
                }

                break;
            case "rollout":
                Resources(positional.Skip(1).ToList(), false, ns, allNamespaces);
                break;
            case "scale":
                Resources(positional, false, ns, allNamespaces);
                if (int.TryParse(Option(flags, "--replicas"), out var replicas))
                {
                    foreach (var (kind, name) in Refs(positional).Where(item => item.Kind == "StatefulSet" && statefulSets.ContainsKey((ns, item.Name))))
                    {
                        Members(ns, name, statefulSets[(ns, name)], replicas, "kubectl scale");
                    }
                }

                break;
            case "set":
                Resources(positional.Skip(1).Where(word => !word.Contains('=', StringComparison.Ordinal)).ToList(), false, ns, allNamespaces);
                break;
            case "autoscale":
                foreach (var (kind, name) in Refs(positional))
                {
                    Require(kind, ns, name);
                    known.Add(new KnownObject("HorizontalPodAutoscaler", ns, Option(flags, "--name") ?? name, [], "kubectl autoscale"));
                }

                break;
            case "expose":
                foreach (var (kind, name) in Refs(positional))
                {
                    Require(kind, ns, name);
                    known.Add(new KnownObject("Service", ns, Option(flags, "--name") ?? name, [], "kubectl expose"));
                }

                break;
            case "create":
                Create(positional, flags, ns);
                break;
            case "run" when positional.Count > 0:
                known.Add(new KnownObject("Pod", ns, positional[0], [new Dictionary<string, string> { ["run"] = positional[0] }], "kubectl run"));
                break;
            case "certificate" when positional.Count > 1:
                foreach (var name in positional.Skip(1))
                {
                    Require("CertificateSigningRequest", "", name);
                }

                break;
            case "drain" or "cordon" or "uncordon" or "taint":
                Resources(positional.Count > 0 && !positional[0].Contains('/', StringComparison.Ordinal) && Kinds.ContainsKey(positional[0]) ? positional : ["node", .. positional.Take(1)], false, ns, allNamespaces);
                break;
            case "apply" or "replace" or "diff" or "config" or "cluster-info" or "version" or "api-resources" or "api-versions" or "explain" or "auth" or "proxy" or "events" or "completion" or "kustomize" or "debug" or null:
                break;
            default:
                Problem($"kubectl {verb} is unknown to the README check");
                break;
        }

        if (selector is not null)
        {
            Selector(selector, ns, allNamespaces);
        }
    }

    private void Create(List<string> positional, List<(string Flag, string? Value)> flags, string ns)
    {
        if (positional.Count < 2)
        {
            return;
        }

        var what = positional[0];
        var name = what is "secret" or "service" or "svc" ? positional.ElementAtOrDefault(2) : positional[1];
        if (name is null)
        {
            return;
        }

        if (what == "token")
        {
            Require("ServiceAccount", ns, name);
            return;
        }

        if (Option(flags, "--from") is { } from)
        {
            foreach (var (fromKind, fromName) in Refs([from]))
            {
                Require(fromKind, ns, fromName);
            }
        }

        if (Option(flags, "--role") is { } role)
        {
            Require("Role", ns, role);
        }

        if (Option(flags, "--clusterrole") is { } clusterRole)
        {
            Require("ClusterRole", "", clusterRole);
        }

        if (Option(flags, "--serviceaccount") is { } account)
        {
            var parts = account.Split(':');
            Require("ServiceAccount", parts.Length == 2 ? parts[0] : ns, parts[^1]);
        }

        var kind = what switch
        {
            "secret" => "Secret",
            "service" or "svc" => "Service",
            "job" => "Job",
            "deployment" or "deploy" => "Deployment",
            _ => Kinds.TryGetValue(what, out var known) ? known : throw new InvalidDataException($"kubectl create {what} is unknown to the README check"),
        };
        var labels = kind switch
        {
            "Deployment" => [new Dictionary<string, string> { ["app"] = name }],
            "Job" => [new Dictionary<string, string> { ["job-name"] = name }],
            _ => new List<IDictionary<string, string>>(),
        };
        known.Add(new KnownObject(kind, Course.ClusterScoped.Contains(kind) ? "" : ns, name, labels, $"kubectl create {what}"));
    }

    /// <summary>kind name..., kind/name..., or kind1,kind2 (a listing): checks each named object.</summary>
    private List<(string Kind, string Name)> Resources(List<string> positional, bool labelling, string ns, bool allNamespaces)
    {
        var words = labelling ? positional.Where(word => !word.Contains('=', StringComparison.Ordinal) && !word.EndsWith('-')).ToList() : positional;
        if (words.Count == 0)
        {
            return [];
        }

        List<(string Kind, string Name)> named;
        if (!words[0].Contains('/', StringComparison.Ordinal))
        {
            var kinds = words[0].Split(',');
            var resolved = kinds is ["all"] ? [] : kinds.Select(Kind).ToList();
            named = [.. words.Skip(1).SelectMany(name => resolved.Select(kind => (kind, name)))];
        }
        else
        {
            named = Refs(words);
        }

        foreach (var (kind, name) in named)
        {
            Require(kind, ns, name, allNamespaces);
        }

        return named;
    }

    /// <summary>
    /// What kubectl delete removes for good: a controller's pods come back (a StatefulSet's under the same names),
    /// so only bare pods go; a StatefulSet takes its pods along but leaves its claims.
    /// </summary>
    private void Forget(string kind, string ns, string name)
    {
        ns = Course.ClusterScoped.Contains(kind) ? "" : ns;
        known.RemoveAll(item => item.Kind == kind && item.Namespace == ns && item.Name == name && !item.Source.StartsWith(MemberOf, StringComparison.Ordinal));
        if (kind == "StatefulSet")
        {
            known.RemoveAll(item => item.Kind == "Pod" && item.Namespace == ns && item.Source == MemberOf + name);
        }

        if (kind == "Namespace")
        {
            known.RemoveAll(item => item.Namespace == name);
        }
    }

    /// <summary>kind name, or kind/name... (deploy/webapp, pod/webapp, deployment.apps/webapp).</summary>
    private static List<(string Kind, string Name)> Refs(List<string> words)
    {
        if (words.Count == 0)
        {
            return [];
        }

        if (words[0].Contains('/', StringComparison.Ordinal))
        {
            return [.. words.Where(word => word.Contains('/', StringComparison.Ordinal)).Select(word => (Kind(word.Split('/')[0]), word.Split('/')[1]))];
        }

        return words.Count > 1 ? [(Kind(words[0]), words[1])] : [];
    }

    private void Pod(string word, string ns)
    {
        if (word.Contains('/', StringComparison.Ordinal))
        {
            foreach (var (kind, name) in Refs([word]))
            {
                Require(kind, ns, name);
            }
        }
        else
        {
            Require("Pod", ns, word);
        }
    }

    private static string Kind(string word)
    {
        var name = word.Split('.')[0].ToLowerInvariant();
        return Kinds.TryGetValue(name, out var kind) ? kind : throw new InvalidDataException($"'{word}' is no kind the README check knows");
    }

    private void RequireNamespace(string ns)
    {
        if (ns != "default" && !ns.Contains('$', StringComparison.Ordinal))
        {
            Require("Namespace", "", ns);
        }
    }

    private void Require(string kind, string ns, string name, bool anyNamespace = false)
    {
        ns = Course.ClusterScoped.Contains(kind) ? "" : ns;
        if (name.Contains('$', StringComparison.Ordinal) || Unnamed.Contains(kind))
        {
            // Found at run time ($(kubectl get pod -l ... -o name)): its own command is checked.
            return;
        }

        if (name.Contains('<', StringComparison.Ordinal) || name.Contains('>', StringComparison.Ordinal))
        {
            Problem($"{kind} '{name}' is a placeholder: name the object, or find it with $(kubectl get ... -o name)");
            return;
        }

        if (Exists(kind, ns, name, anyNamespace))
        {
            return;
        }

        Problem($"{kind} {name}{(ns == "" ? "" : $" (namespace {ns})")} is in no chapter file up to here and made by no earlier command");
    }

    private bool Exists(string kind, string ns, string name, bool anyNamespace = false) =>
        known.Any(item => item.Kind == kind && item.Name == name && (anyNamespace || item.Namespace == ns))
        || Provided.ContainsKey((kind, ns, name))
        || (kind == "ServiceAccount" && name == "default")
        || (kind == "ConfigMap" && name == "kube-root-ca.crt")
        || releases.Any(release => FromRelease(release, ns, name));

    /// <summary>
    /// A chart's objects: anything in a namespace the release was installed into on its own; elsewhere what is named
    /// after the release (monitoring-grafana, alertmanager-monitoring-kube-prometheus-alertmanager-0).
    /// </summary>
    private static bool FromRelease((string Name, string Namespace, bool OwnsNamespace) release, string ns, string name) =>
        (release.OwnsNamespace && release.Namespace == ns)
        || ((release.Namespace == ns || ns == "") && $"-{name}-".Contains($"-{release.Name}-", StringComparison.Ordinal));

    /// <summary>A selector must match the labels of some pod (template) or object there is by then.</summary>
    private void Selector(string selector, string ns, bool allNamespaces)
    {
        if (selector.Contains('$', StringComparison.Ordinal))
        {
            return;
        }

        var requirements = Requirements(selector);
        var candidates = known.Where(item => allNamespaces || item.Namespace == ns || item.Namespace == "").SelectMany(item => item.Labels);
        if (candidates.Any(labels => requirements.All(requirement => requirement(labels)))
            || ProvidedSelectors.ContainsKey((ns, selector))
            || releases.Any(release => (release.OwnsNamespace && release.Namespace == ns) || (release.Namespace == ns && selector.Contains(release.Name, StringComparison.Ordinal))))
        {
            return;
        }

        Problem($"-l {selector} matches no pod or object of a chapter file up to here or of an earlier command{(allNamespaces ? "" : $" in namespace {ns}")}");
    }

    /// <summary>A label selector's requirements: key=value, key==value, key!=value, key, !key, key in (a,b), key notin (a,b).</summary>
    public static IReadOnlyList<Func<IDictionary<string, string>, bool>> Requirements(string selector)
    {
        var requirements = new List<Func<IDictionary<string, string>, bool>>();
        foreach (Match match in SelectorPart().Matches(selector))
        {
            var part = match.Value.Trim();
            var set = SetRequirement().Match(part);
            if (set.Success)
            {
                var key = set.Groups[1].Value;
                var values = set.Groups[3].Value.Split(',').Select(value => value.Trim()).ToHashSet();
                var notIn = set.Groups[2].Value == "notin";
                requirements.Add(labels => labels.TryGetValue(key, out var value) ? values.Contains(value) != notIn : notIn);
            }
            else if (part.Contains("!=", StringComparison.Ordinal))
            {
                var (key, value) = (part[..part.IndexOf("!=", StringComparison.Ordinal)], part[(part.IndexOf("!=", StringComparison.Ordinal) + 2)..]);
                requirements.Add(labels => labels.Label(key) != value);
            }
            else if (part.Contains('=', StringComparison.Ordinal))
            {
                var key = part[..part.IndexOf('=', StringComparison.Ordinal)];
                var value = part[(part.LastIndexOf('=') + 1)..];
                requirements.Add(labels => labels.TryGetValue(key, out var actual) && actual == value);
            }
            else if (part.StartsWith('!'))
            {
                requirements.Add(labels => !labels.ContainsKey(part[1..]));
            }
            else
            {
                requirements.Add(labels => labels.ContainsKey(part));
            }
        }

        return requirements.Count > 0 ? requirements : throw new InvalidDataException($"an empty label selector '{selector}'");
    }

    private string? RequireFile(string file)
    {
        if (file.StartsWith("http", StringComparison.Ordinal) || file.Contains('$', StringComparison.Ordinal) || file.StartsWith('~'))
        {
            return null;
        }

        var path = Path.GetFullPath(file, directory);
        if (!path.StartsWith(Repository.Root, StringComparison.Ordinal) && !writtenFiles.ContainsKey(path))
        {
            // The learner's own file (a key, a certificate), outside the checkout: nothing to look for here.
            return null;
        }

        if (File.Exists(path) || Directory.Exists(path) || writtenFiles.ContainsKey(path))
        {
            return path;
        }

        Problem($"{file} does not exist");
        return null;
    }

    /// <summary>The objects of a manifest file, or of a folder's top-level ones; none when a file does not load (applying it reports that).</summary>
    private static IEnumerable<Manifest> ManifestsIn(string path)
    {
        var files = Directory.Exists(path) ? [.. Directory.GetFiles(path).Where(Course.IsManifestFile)] : new[] { path };
        foreach (var file in files.Where(File.Exists))
        {
            var text = File.ReadAllText(file);
            var from = Path.GetRelativePath(Repository.Root, file);
            IReadOnlyList<Manifest> manifests;
            try
            {
                manifests = ParsedFiles.GetOrAdd((text, from), key => Renders.Parse(key.Yaml, key.From, Course.CustomResourceGroups));
            }
            catch (Exception e) when (e is InvalidDataException or YamlDotNet.Core.YamlException)
            {
                continue;
            }

            foreach (var manifest in manifests)
            {
                yield return manifest;
            }
        }
    }

    private void CreatedFrom(string path, string ns, bool edited = false)
    {
        if (writtenFiles.TryGetValue(path, out var text))
        {
            Created(text, path, ns);
            return;
        }

        // kubectl apply -f of a folder applies its files in name order.
        var files = Directory.Exists(path) ? [.. Directory.GetFiles(path).Where(Course.IsManifestFile).Order(StringComparer.Ordinal)] : new[] { path };
        foreach (var file in files)
        {
            Created(File.ReadAllText(file), Path.GetRelativePath(Repository.Root, file), ns, edited);
        }
    }

    /// <summary>
    /// The objects a manifest makes. An edited one (sed TEMPLATE | kubectl apply -f -) may hold placeholders the
    /// models reject until they are filled in; its kinds and names count all the same.
    /// </summary>
    private void Created(string yaml, string from, string ns, bool edited = false)
    {
        IReadOnlyList<Manifest> manifests;
        try
        {
            // Every chapter's case follows the READMEs before it again: each file is loaded once.
            manifests = ParsedFiles.GetOrAdd((yaml, from), key => Renders.Parse(key.Yaml, key.From, Course.CustomResourceGroups));
        }
        catch (Exception e) when (e is InvalidDataException or YamlDotNet.Core.YamlException)
        {
            if (!edited)
            {
                Problem(e.Message);
                return;
            }

            manifests = Renders.Parse(yaml, from, ApiGroup().Matches(yaml).Select(match => match.Groups[1].Value).ToHashSet());
        }

        // kubectl -n NS apply -f puts objects that name no namespace into NS.
        Add(ns == "default" ? manifests : manifests.Select(manifest => manifest.Namespace is null ? WithNamespace(manifest, ns) : manifest), from);
    }

    private static Manifest WithNamespace(Manifest manifest, string ns)
    {
        var raw = new Dictionary<object, object>(manifest.Raw);
        raw["metadata"] = new Dictionary<object, object>((IDictionary<object, object>)manifest.Raw["metadata"]) { ["namespace"] = ns };
        return manifest with { Raw = raw };
    }

    private static (string Flag, string? Value) SplitFlag(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    private static string? Option(List<(string Flag, string? Value)> flags, string name) => flags.LastOrDefault(flag => flag.Flag == name).Value;

    private static string? Option(List<string> words, params string[] names)
    {
        for (var i = 0; i < words.Count; i++)
        {
            var (flag, value) = SplitFlag(words[i]);
            if (names.Contains(flag))
            {
                return value ?? words.ElementAtOrDefault(i + 1);
            }
        }

        return null;
    }

    [GeneratedRegex(@"^apiVersion:\s*([^/\s]+)", RegexOptions.Multiline)]
    private static partial Regex ApiGroup();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^(\./)?(k8s|scripts)/[\w./-]+\.sh$")]
    private static partial Regex ScriptPath();

    [GeneratedRegex(@"^(k8s|scripts|helm|docs|infra|tools)/[\w./-]*$")]
    private static partial Regex RepositoryPath();

    [GeneratedRegex(@"([^,(]+(\([^)]*\))?)")]
    private static partial Regex SelectorPart();

    [GeneratedRegex(@"^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$")]
    private static partial Regex SetRequirement();
}
