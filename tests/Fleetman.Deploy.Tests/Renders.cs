using k8s;

namespace Fleetman.Deploy.Tests;

/// <summary>One document of a render: its identity, the strictly loaded model (null for custom resources) and the raw tree.</summary>
public sealed record Manifest(string ApiVersion, string Kind, string Name, object? Model, IDictionary<object, object> Raw)
{
    /// <summary>The namespace the document names, or null when it names none (kubectl then uses the current one).</summary>
    public string? Namespace => ((IDictionary<object, object>)Raw["metadata"]).TryGetValue("namespace", out var value) ? value as string : null;

    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion.Split('/')[0] : "";

    public override string ToString() => $"{Kind}/{Name}";
}

/// <summary>
/// The manifests <c>scripts/render-manifests.sh</c> wrote to <c>.fleetman/rendered/</c>: every Helm and kustomize
/// render of the system, each loaded strictly with the Kubernetes client's models, so a misspelt or misplaced field
/// fails here as it would fail <c>kubectl apply</c>.
/// </summary>
public static partial class Renders
{
    /// <summary>Custom resources the system uses; their schemas are not in the client's models.</summary>
    public static readonly IReadOnlySet<string> CustomResourceGroups = new HashSet<string> { "keda.sh", "monitoring.coreos.com" };

    private static readonly Dictionary<string, IReadOnlyList<Manifest>> Loaded = [];
    private static readonly Lock Gate = new();

    public static string Folder { get; } = Path.Combine(Repository.Root, ".fleetman", "rendered");

    /// <summary>Every render by name: helm-default, helm-minikube, ..., k8s-base, k8s-minikube, k8s-component-keda, ...</summary>
    public static IReadOnlyList<string> Names()
    {
        if (!Directory.Exists(Folder))
        {
            throw new InvalidOperationException($"{Folder} does not exist: run scripts/render-manifests.sh first (the test command does).");
        }

        return [.. Directory.GetFiles(Folder, "*.yaml")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => (name!.StartsWith("helm-", StringComparison.Ordinal) || name.StartsWith("k8s-", StringComparison.Ordinal))
                && !name.EndsWith("-again", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)!];
    }

    public static TheoryData<string> All() => Data(Names());

    public static TheoryData<string> Kustomize() => Data(Names().Where(name => name.StartsWith("k8s-", StringComparison.Ordinal)));

    public static TheoryData<string> Helm() => Data(Names().Where(name => name.StartsWith("helm-", StringComparison.Ordinal)));

    private static TheoryData<string> Data(IEnumerable<string> names)
    {
        var data = new TheoryData<string>();
        foreach (var name in names)
        {
            data.Add(name);
        }

        return data;
    }

    public static IReadOnlyList<Manifest> Load(string render)
    {
        lock (Gate)
        {
            if (!Loaded.TryGetValue(render, out var manifests))
            {
                manifests = Parse(File.ReadAllText(Path.Combine(Folder, render + ".yaml")), render);
                Loaded[render] = manifests;
            }

            return manifests;
        }
    }

    public static IEnumerable<T> Of<T>(string render) => Load(render).Select(manifest => manifest.Model).OfType<T>();

    /// <summary>
    /// Splits a multi-document YAML text and loads each document strictly; documents of <paramref name="customResourceGroups"/>
    /// (default: <see cref="CustomResourceGroups"/>) are kept raw, any other unknown kind or field throws.
    /// </summary>
    public static IReadOnlyList<Manifest> Parse(string text, string source, IReadOnlySet<string>? customResourceGroups = null)
    {
        customResourceGroups ??= CustomResourceGroups;
        var raw = new DeserializerBuilder().Build();
        var manifests = new List<Manifest>();
        foreach (var document in Documents(text))
        {
            var tree = raw.Deserialize<Dictionary<object, object>>(document)
                ?? throw new InvalidDataException($"{source}: an empty document");
            if (tree.GetValueOrDefault("apiVersion") is not string apiVersion || tree.GetValueOrDefault("kind") is not string kind
                || tree.GetValueOrDefault("metadata") is not Dictionary<object, object> metadata || metadata.GetValueOrDefault("name") is not string name)
            {
                throw new InvalidDataException($"{source}: a document without apiVersion, kind and metadata.name is not a Kubernetes object");
            }

            object? model = null;
            if (!customResourceGroups.Contains(apiVersion.Split('/')[0]))
            {
                try
                {
                    model = KubernetesYaml.LoadAllFromString(document, strict: true).Single();
                }
                catch (Exception e)
                {
                    throw new InvalidDataException($"{source}: {kind}/{name} does not load strictly: {e.Message}", e);
                }
            }

            manifests.Add(new Manifest(apiVersion, kind, name, model, tree));
        }

        return manifests;
    }

    /// <summary>The documents of a multi-document YAML text that hold anything but comments.</summary>
    public static IEnumerable<string> Documents(string text) => DocumentSeparator().Split(text).Where(document => ContentLine().IsMatch(document));

    [GeneratedRegex(@"^---[^\n]*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();

    [GeneratedRegex(@"^[a-zA-Z]", RegexOptions.Multiline)]
    private static partial Regex ContentLine();
}

/// <summary>Anything that runs pods: its pod template, selector and replica count, whatever its kind.</summary>
public sealed record Workload(string Kind, string Name, V1PodTemplateSpec Template, V1LabelSelector? Selector, int? Replicas)
{
    public V1PodSpec Pod => Template.Spec;

    public IEnumerable<V1Container> AllContainers => Pod.Containers.Concat(Pod.InitContainers ?? []);

    public override string ToString() => $"{Kind}/{Name}";

    /// <summary>Whether the pods run to completion (Job, CronJob): nothing serves, so nothing to probe.</summary>
    public bool RunsToCompletion => Kind is "Job" or "CronJob";

    public static IReadOnlyList<Workload> In(string render) => [.. Renders.Load(render).Select(manifest => Of(manifest.Model)).OfType<Workload>()];

    /// <summary>The workload a loaded object is, or null when it runs no pods; a bare Pod is its own template.</summary>
    public static Workload? Of(object? model) => model switch
    {
        V1Deployment d => new Workload("Deployment", d.Name(), d.Spec.Template, d.Spec.Selector, d.Spec.Replicas),
        V1StatefulSet s => new Workload("StatefulSet", s.Name(), s.Spec.Template, s.Spec.Selector, s.Spec.Replicas),
        V1DaemonSet ds => new Workload("DaemonSet", ds.Name(), ds.Spec.Template, ds.Spec.Selector, null),
        V1ReplicaSet rs => new Workload("ReplicaSet", rs.Name(), rs.Spec.Template, rs.Spec.Selector, rs.Spec.Replicas),
        V1Job j => new Workload("Job", j.Name(), j.Spec.Template, null, null),
        V1CronJob c => new Workload("CronJob", c.Name(), c.Spec.JobTemplate.Spec.Template, null, null),
        V1Pod p => new Workload("Pod", p.Name(), new V1PodTemplateSpec { Metadata = p.Metadata, Spec = p.Spec }, null, 1),
        _ => null,
    };
}
