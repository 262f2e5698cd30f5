using static Fleetman.Deploy.Tests.CommandWords;

namespace Fleetman.Deploy.Tests;

/// <summary>The helm commands and the repository's scripts a README runs: releases, the namespaces and Secrets they make.</summary>
public sealed partial class ReadmeCheck
{
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
}
