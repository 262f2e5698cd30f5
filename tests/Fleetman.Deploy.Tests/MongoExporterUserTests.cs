namespace Fleetman.Deploy.Tests;

/// <summary>
/// The MongoDB exporter reads with a user of its own, never root: its credentials come from their own Secret, which
/// k8s/create-secrets.sh and the chart generate, and the replica set's first member creates the user from them.
/// </summary>
public sealed partial class MongoExporterUserTests
{
    private const string ExporterSecret = "mongodb-exporter-credentials";

    [Theory]
    [InlineData("k8s-component-monitoring")]
    [InlineData("k8s-component-monitoring-operator")]
    [InlineData("helm-all-components")]
    [InlineData("helm-operator-network-policies")]
    public void The_exporter_and_the_member_that_creates_its_user_read_the_exporter_s_own_secret(string render)
    {
        var pod = Workload.In(render).Single(workload => workload.Name == "mongodb").Pod;
        var exporter = pod.Containers.Single(container => container.Name == "mongodb-exporter");
        var member = pod.Containers.Single(container => container.Name == "mongodb");

        SecretsOf(exporter).ShouldBe([ExporterSecret], $"{render}: the exporter reads another Secret than its own (root's?)");
        foreach (var variable in new[] { "MONGO_EXPORTER_USERNAME", "MONGO_EXPORTER_PASSWORD" })
        {
            member.Env.Single(env => env.Name == variable).ValueFrom.SecretKeyRef.Name.ShouldBe(ExporterSecret, $"{render}: {variable}");
        }

        if (render.StartsWith("helm-", StringComparison.Ordinal))
        {
            var secret = Renders.Of<V1Secret>(render).SingleOrDefault(secret => secret.Name() == ExporterSecret);
            secret.ShouldNotBeNull($"{render}: the chart does not generate {ExporterSecret}");
            secret.Data.Keys.ShouldBe(["username", "password"], ignoreOrder: true);
        }
    }

    [Fact]
    public void Without_exporters_no_member_creates_the_exporter_s_user()
    {
        foreach (var render in new[] { "k8s-base", "helm-default" })
        {
            var member = Workload.In(render).Single(workload => workload.Name == "mongodb").Pod.Containers.Single(container => container.Name == "mongodb");
            (member.Env ?? []).ShouldNotContain(env => env.Name.StartsWith("MONGO_EXPORTER_", StringComparison.Ordinal), render);
            Renders.Of<V1Secret>(render).ShouldNotContain(secret => secret.Name() == ExporterSecret, render);
        }
    }

    [Fact]
    public void The_first_member_gives_the_exporter_s_user_cluster_monitor_and_read_on_local_only()
    {
        var script = File.ReadAllText(Path.Combine(Repository.Root, "k8s", "base", "mongodb", "init-replica-set.js"));

        var roles = ExporterRoles().Match(script);
        roles.Success.ShouldBeTrue("init-replica-set.js gives the exporter's user no roles");
        RoleEntry().Matches(roles.Groups["roles"].Value).Select(match => $"{match.Groups["role"].Value}@{match.Groups["db"].Value}")
            .ShouldBe(["clusterMonitor@admin", "read@local"], ignoreOrder: true);
        script.ShouldContain("createUser: exporterUser");
    }

    [Theory]
    [InlineData("k8s-component-monitoring")]
    [InlineData("k8s-component-monitoring-operator")]
    [InlineData("k8s-component-logging")]
    [InlineData("k8s-minikube")]
    public void Every_secret_the_manifests_read_is_made_by_the_secrets_script_with_the_keys_they_read(string render)
    {
        var made = SecretsScriptLine().Matches(File.ReadAllText(Path.Combine(Repository.Root, "k8s", "create-secrets.sh")))
            .ToDictionary(match => match.Groups["name"].Value, match => match.Groups["keys"].Value.Split(' ').ToHashSet());
        var problems = new List<string>();
        foreach (var workload in Workload.In(render))
        {
            foreach (var reference in workload.AllContainers.SelectMany(container => container.Env ?? []).Select(env => env.ValueFrom?.SecretKeyRef).OfType<V1SecretKeySelector>())
            {
                if (!made.TryGetValue(reference.Name, out var keys) || !keys.Contains(reference.Key))
                {
                    problems.Add($"{render}: {workload} reads {reference.Name}/{reference.Key}, which k8s/create-secrets.sh does not make");
                }
            }
        }

        problems.ShouldHaveNone($"{render}: Secrets");
    }

    private static List<string> SecretsOf(V1Container container) =>
        [.. (container.Env ?? []).Select(env => env.ValueFrom?.SecretKeyRef?.Name).OfType<string>().Distinct()];

    [GeneratedRegex(@"const roles = \[(?<roles>[^\]]*)\]")]
    private static partial Regex ExporterRoles();

    [GeneratedRegex(@"role: ""(?<role>[^""]+)"", db: ""(?<db>[^""]+)""")]
    private static partial Regex RoleEntry();

    [GeneratedRegex(@"^secret (?<name>[a-z0-9-]+) (?<keys>[a-z0-9 -]+)$", RegexOptions.Multiline)]
    private static partial Regex SecretsScriptLine();
}
