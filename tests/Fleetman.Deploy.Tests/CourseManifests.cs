namespace Fleetman.Deploy.Tests;

/// <summary>One object of a course chapter's manifests, with the file it is in.</summary>
public sealed record CourseObject(Chapter Chapter, string File, Manifest Manifest)
{
    public string Kind => Manifest.Kind;

    public string Name => Manifest.Name;

    /// <summary>Where kubectl puts it: the namespace it names, or default (the course's), or "" for a cluster-wide kind.</summary>
    public string Namespace => Course.ClusterScoped.Contains(Kind) ? "" : Manifest.Namespace ?? "default";

    public override string ToString() => $"{Chapter.Id}/{File}: {Kind}/{Name}";
}

/// <summary>
/// A chapter folder of <c>k8s/course</c>: what <c>kubectl apply -f k8s/course/NN-name/</c> applies (the top-level
/// *.yaml files, read as they are: no render step), its README, and the workloads it runs.
/// </summary>
public sealed class Chapter
{
    private readonly Lazy<IReadOnlyList<CourseObject>> objects;

    public Chapter(int number, string folder)
    {
        Number = number;
        Folder = folder;
        objects = new Lazy<IReadOnlyList<CourseObject>>(Load);
    }

    public int Number { get; }

    public string Folder { get; }

    /// <summary>The folder's name, e.g. 01-first-pod.</summary>
    public string Id => Path.GetFileName(Folder);

    public string ReadmePath => Path.Combine(Folder, "README.md");

    public string Readme => File.ReadAllText(ReadmePath);

    /// <summary>The top-level manifests, the files kubectl apply -f of the folder reads.</summary>
    public IReadOnlyList<string> ManifestFiles =>
        [.. Directory.GetFiles(Folder).Where(Course.IsManifestFile).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    /// <summary>Every object of the top-level manifests, each loaded strictly; throws on the first that does not load.</summary>
    public IReadOnlyList<CourseObject> Objects => objects.Value;

    /// <summary>The chapter's one <paramref name="kind"/> named <paramref name="name"/>, which must be in <paramref name="file"/>; fails the test saying which is missing.</summary>
    public CourseObject ShouldHave(string kind, string name, string file)
    {
        var item = Objects.SingleOrDefault(item => item.Kind == kind && item.Name == name);
        item.ShouldNotBeNull($"{Id} has no {kind} {name}");
        item.File.ShouldBe(file, $"{Id}: the file of {kind} {name}");
        return item;
    }

    public IReadOnlyList<Workload> Workloads => [.. Objects.Select(item => Workload.Of(item.Manifest.Model)).OfType<Workload>()];

    /// <summary>
    /// The labels of the pod templates in the chapter's subfolders: pods another program starts from them (Jenkins'
    /// agents). They are templates, not objects: no name, nothing kubectl applies.
    /// </summary>
    public IReadOnlyList<IDictionary<string, string>> PodTemplateLabels =>
    [
        .. Directory.GetDirectories(Folder)
            .SelectMany(folder => Directory.GetFiles(folder, "*.yaml", SearchOption.AllDirectories))
            .SelectMany(file => Renders.Documents(File.ReadAllText(file)))
            .SelectMany(text => new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<object, object>?>(text) is { } document
                && document.GetValueOrDefault("kind") as string == "Pod"
                && document.GetValueOrDefault("metadata") is Dictionary<object, object> metadata
                && metadata.GetValueOrDefault("labels") is Dictionary<object, object> labels
                    ? [labels.ToDictionary(pair => (string)pair.Key, pair => (string)pair.Value)]
                    : Array.Empty<IDictionary<string, string>>()),
    ];

    public override string ToString() => Id;

    private IReadOnlyList<CourseObject> Load() =>
    [
        .. ManifestFiles.SelectMany(file => Renders
            .Parse(File.ReadAllText(Path.Combine(Folder, file)), $"{Id}/{file}", Course.CustomResourceGroups)
            .Select(manifest => new CourseObject(this, file, manifest))),
    ];
}

/// <summary>The course path, <c>k8s/course</c>: its chapters in order, and what they hold together.</summary>
public static partial class Course
{
    /// <summary>The chapters, in the course's order; the folder names are part of the commands the READMEs show.</summary>
    public static readonly IReadOnlyList<string> ChapterIds =
    [
        "01-first-pod", "02-services", "03-replicasets", "04-deployments", "05-queue-and-simulator", "06-microservices",
        "07-persistence", "08-eks", "09-logging", "10-monitoring", "11-resources", "12-autoscaling", "13-probes",
        "14-qos-and-priority", "15-rbac", "16-configmaps-and-secrets", "17-ingress", "18-jobs", "19-daemonsets",
        "20-statefulsets", "21-patterns", "22-jenkins",
    ];

    /// <summary>The chapter that runs on a cluster of its own (EKS); every other one on the same minikube.</summary>
    public const string OwnCluster = "08-eks";

    /// <summary>The one kind of custom resource the course uses: kube-prometheus-stack's (chapter 10).</summary>
    public static readonly IReadOnlySet<string> CustomResourceGroups = new HashSet<string> { "monitoring.coreos.com" };

    /// <summary>Kinds that live in no namespace.</summary>
    public static readonly IReadOnlySet<string> ClusterScoped = new HashSet<string>
    {
        "Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding", "PriorityClass",
        "CustomResourceDefinition", "IngressClass", "CertificateSigningRequest",
    };

    /// <summary>The chapter from which the production policy (probes, sizes, no privileges) applies to every workload.</summary>
    public const int FirstProductionChapter = 13;

    public static string Root { get; } = Path.Combine(Repository.Root, "k8s", "course");

    private static readonly Lazy<IReadOnlyList<Chapter>> Found = new(() =>
    [
        .. Directory.GetDirectories(Root)
            .Where(folder => ChapterFolder().IsMatch(Path.GetFileName(folder)))
            .Order(StringComparer.Ordinal)
            .Select(folder => new Chapter(int.Parse(Path.GetFileName(folder)[..2], System.Globalization.CultureInfo.InvariantCulture), folder)),
    ]);

    /// <summary>The chapter folders there are (NN-name), in order.</summary>
    public static IReadOnlyList<Chapter> Chapters() => Found.Value;

    public static Chapter Chapter(string id) => Chapters().Single(chapter => chapter.Id == id);

    public static Chapter? Find(string id) => Chapters().SingleOrDefault(chapter => chapter.Id == id);

    /// <summary>Every chapter folder there is, as test data.</summary>
    public static TheoryData<string> All() => Data(Chapters());

    /// <summary>The chapters that show the bare version, before the production policy applies.</summary>
    public static TheoryData<string> Bare() => Data(Chapters().Where(chapter => chapter.Number < FirstProductionChapter));

    /// <summary>The chapters the production policy applies to.</summary>
    public static TheoryData<string> Production() => Data(Chapters().Where(chapter => chapter.Number >= FirstProductionChapter));

    private static TheoryData<string> Data(IEnumerable<Chapter> chapters)
    {
        var data = new TheoryData<string>();
        foreach (var chapter in chapters)
        {
            data.Add(chapter.Id);
        }

        return data;
    }

    /// <summary>kubectl apply -f of a folder reads files with these extensions, so nothing else may be a manifest.</summary>
    public static bool IsManifestFile(string path) =>
        Path.GetExtension(path) is ".yaml" or ".yml" or ".json";

    /// <summary>Every object of the chapters up to and including <paramref name="last"/>, the first chapter's first.</summary>
    public static IEnumerable<CourseObject> UpTo(Chapter last) =>
        Chapters().Where(chapter => chapter.Number <= last.Number).SelectMany(chapter => chapter.Objects);

    /// <summary>
    /// The objects the cluster holds after applying the chapters in order up to <paramref name="last"/>: a later
    /// chapter's object replaces an earlier one of the same kind, namespace and name.
    /// </summary>
    public static IReadOnlyDictionary<(string Kind, string Namespace, string Name), CourseObject> StateAt(Chapter last)
    {
        var state = new Dictionary<(string, string, string), CourseObject>();
        foreach (var item in UpTo(last))
        {
            state[(item.Kind, item.Namespace, item.Name)] = item;
        }

        return state;
    }

    /// <summary>Runs each check and gathers the failures, so one test run lists every problem, not only the first.</summary>
    public static List<string> Problems(IEnumerable<Action> checks)
    {
        var problems = new List<string>();
        foreach (var check in checks)
        {
            try
            {
                check();
            }
            catch (Exception e) when (e is ShouldAssertException or InvalidDataException or InvalidOperationException)
            {
                problems.Add(Reason(e.Message));
            }
        }

        return problems;
    }

    /// <summary>Fails with every problem, one a line.</summary>
    public static void ShouldHaveNone(this IReadOnlyCollection<string> problems, string what) =>
        problems.ShouldBeEmpty($"{what}:\n  " + string.Join("\n  ", problems));

    /// <summary>A label's value, or null when the labels (if any) lack it.</summary>
    public static string? Label(this IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) ? value : null;

    /// <summary>Shouldly's message ends with the custom message, which says what is wrong where.</summary>
    private static string Reason(string message)
    {
        var info = message.LastIndexOf("Additional Info:", StringComparison.Ordinal);
        return info < 0 ? message.Trim() : message[(info + "Additional Info:".Length)..].Trim();
    }

    [GeneratedRegex(@"^[0-9]{2}-[a-z0-9-]+$")]
    private static partial Regex ChapterFolder();
}
