using System.Text.RegularExpressions;
using Fleetman.Testing;
using k8s;
using k8s.Models;
using YamlDotNet.Serialization;

namespace Fleetman.Deploy.Tests;

/// <summary>One document of a render: its identity, the strictly loaded model (null for custom resources) and the raw tree.</summary>
public sealed record Manifest(string ApiVersion, string Kind, string Name, object? Model, IDictionary<object, object> Raw)
{
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
    public static readonly IReadOnlySet<string> CustomResourceGroups = new HashSet<string> { "keda.sh" };

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

    public static IReadOnlyList<Manifest> Parse(string text, string source)
    {
        var raw = new DeserializerBuilder().Build();
        var manifests = new List<Manifest>();
        foreach (var document in DocumentSeparator().Split(text).Where(document => ContentLine().IsMatch(document)))
        {
            var tree = raw.Deserialize<Dictionary<object, object>>(document)
                ?? throw new InvalidDataException($"{source}: an empty document");
            var apiVersion = (string)tree["apiVersion"];
            var kind = (string)tree["kind"];
            var name = (string)((Dictionary<object, object>)tree["metadata"])["name"];
            object? model = null;
            if (!CustomResourceGroups.Contains(apiVersion.Split('/')[0]))
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

    public static IReadOnlyList<Workload> In(string render) =>
    [
        .. Renders.Load(render).Select(manifest => manifest.Model switch
        {
            V1Deployment d => new Workload("Deployment", d.Name(), d.Spec.Template, d.Spec.Selector, d.Spec.Replicas),
            V1StatefulSet s => new Workload("StatefulSet", s.Name(), s.Spec.Template, s.Spec.Selector, s.Spec.Replicas),
            V1DaemonSet ds => new Workload("DaemonSet", ds.Name(), ds.Spec.Template, ds.Spec.Selector, null),
            V1Job j => new Workload("Job", j.Name(), j.Spec.Template, null, null),
            _ => null,
        }).OfType<Workload>(),
    ];
}
