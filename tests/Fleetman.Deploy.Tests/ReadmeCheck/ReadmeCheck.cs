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

        var requirements = LabelSelector.Requirements(selector);
        var candidates = known.Where(item => allNamespaces || item.Namespace == ns || item.Namespace == "").SelectMany(item => item.Labels);
        if (candidates.Any(labels => requirements.All(requirement => requirement(labels)))
            || ProvidedSelectors.ContainsKey((ns, selector))
            || releases.Any(release => (release.OwnsNamespace && release.Namespace == ns) || (release.Namespace == ns && selector.Contains(release.Name, StringComparison.Ordinal))))
        {
            return;
        }

        Problem($"-l {selector} matches no pod or object of a chapter file up to here or of an earlier command{(allNamespaces ? "" : $" in namespace {ns}")}");
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

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^(\./)?(k8s|scripts)/[\w./-]+\.sh$")]
    private static partial Regex ScriptPath();

    [GeneratedRegex(@"^(k8s|scripts|helm|docs|infra|tools)/[\w./-]*$")]
    private static partial Regex RepositoryPath();
}
