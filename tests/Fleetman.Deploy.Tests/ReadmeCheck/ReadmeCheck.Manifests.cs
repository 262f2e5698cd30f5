namespace Fleetman.Deploy.Tests;

/// <summary>What the chapter files and the manifests a command applies put in the cluster, and what their objects need.</summary>
public sealed partial class ReadmeCheck
{
    /// <summary>The source of a StatefulSet's pods: they come back when deleted, under the same names.</summary>
    private const string MemberOf = "member of StatefulSet ";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Yaml, string From), IReadOnlyList<Manifest>> ParsedFiles = new();

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

    [GeneratedRegex(@"^apiVersion:\s*([^/\s]+)", RegexOptions.Multiline)]
    private static partial Regex ApiGroup();
}
