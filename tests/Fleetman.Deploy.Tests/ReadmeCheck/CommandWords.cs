namespace Fleetman.Deploy.Tests;

/// <summary>
/// The words of the kubectl and helm commands a README shows, as the README check reads them: the kinds kubectl
/// names (short names, singular, plural), which flags take a value, and the flags' values.
/// </summary>
internal static class CommandWords
{
    /// <summary>Each kind with the names kubectl accepts for it (short name, singular, plural).</summary>
    internal static readonly Dictionary<string, string> Kinds = new[]
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

    /// <summary>kubectl flags that take a value (the next word unless written --flag=value).</summary>
    internal static readonly HashSet<string> ValueFlags = new()
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

    internal static readonly HashSet<string> BooleanFlags = new()
    {
        "-i", "-t", "-it", "-ti", "--stdin", "--tty", "--rm", "-w", "--watch", "--watch-only", "-A", "--all-namespaces", "--all",
        "--show-labels", "--force", "--now", "--wait", "--overwrite", "--recursive", "-R", "--previous", "--follow", "--embed-certs",
        "--no-headers", "--show-kind", "--ignore-not-found", "--ignore-daemonsets", "--delete-emptydir-data", "--quiet", "-q",
        "--insecure-skip-tls-verify", "--current", "--list", "--prefix", "--raw", "--include-uninitialized",
    };

    internal static readonly HashSet<string> HelmValueFlags = new()
    {
        "-n", "--namespace", "-f", "--values", "--set", "--set-string", "--set-file", "--set-json", "--version", "--timeout", "--repo",
        "--kube-context", "--kubeconfig", "-o", "--output",
    };

    internal static string Kind(string word)
    {
        var name = word.Split('.')[0].ToLowerInvariant();
        return Kinds.TryGetValue(name, out var kind) ? kind : throw new InvalidDataException($"'{word}' is no kind the README check knows");
    }

    internal static (string Flag, string? Value) SplitFlag(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    internal static string? Option(List<(string Flag, string? Value)> flags, string name) => flags.LastOrDefault(flag => flag.Flag == name).Value;

    internal static string? Option(List<string> words, params string[] names)
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
}
