using static Fleetman.Deploy.Tests.CommandWords;

namespace Fleetman.Deploy.Tests;

/// <summary>The kubectl commands of a README: what each names must exist by then, what it makes exists after it.</summary>
public sealed partial class ReadmeCheck
{
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
}
