namespace Fleetman.Deploy.Tests;

/// <summary>No password is written down anywhere: credentials live in Secrets that are generated, never defaulted.</summary>
public sealed partial class SecretTests
{
    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Credentials_reach_containers_only_from_secrets(string render)
    {
        foreach (var workload in Workload.In(render))
        {
            foreach (var container in workload.AllContainers)
            {
                foreach (var variable in container.Env ?? [])
                {
                    var what = $"{render}: {workload} container {container.Name} variable {variable.Name}";
                    if (SecretName().IsMatch(variable.Name))
                    {
                        variable.Value.ShouldBeNull($"{what} is a credential written in the manifest");
                        variable.ValueFrom.ShouldNotBeNull($"{what} does not come from a Secret");
                        variable.ValueFrom.SecretKeyRef.ShouldNotBeNull($"{what} does not come from a Secret");
                    }

                    if (variable.Value is { } value)
                    {
                        PlaintextCredential().IsMatch(value).ShouldBeFalse($"{what} holds a credential in plain text: {value}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders.All), MemberType = typeof(Renders))]
    public void Config_maps_hold_no_credentials(string render)
    {
        foreach (var map in Renders.Of<V1ConfigMap>(render))
        {
            foreach (var (key, value) in map.Data ?? new Dictionary<string, string>())
            {
                PlaintextCredential().IsMatch(value).ShouldBeFalse($"{render}: ConfigMap {map.Name()} key {key} holds a credential in plain text");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Renders.Kustomize), MemberType = typeof(Renders))]
    public void Kustomize_renders_carry_no_secret_values(string render)
    {
        // k8s/create-secrets.sh makes them in the cluster with random values; nothing to commit, nothing to default.
        foreach (var secret in Renders.Of<V1Secret>(render))
        {
            (secret.Data?.Count ?? 0).ShouldBe(0, $"{render}: Secret {secret.Name()} has values in the manifests");
            (secret.StringData?.Count ?? 0).ShouldBe(0, $"{render}: Secret {secret.Name()} has values in the manifests");
        }
    }

    [Fact]
    public void The_chart_generates_different_passwords_on_every_install()
    {
        var first = Passwords("helm-default");
        var second = Passwords("helm-default-again");

        first.Keys.ShouldBe(second.Keys, ignoreOrder: true);
        foreach (var secret in new[] { "activemq-credentials", "mongodb-credentials", "redis-credentials", "gateway-admin" })
        {
            first.Keys.ShouldContain(key => key.StartsWith(secret + "/", StringComparison.Ordinal), $"the chart makes no Secret {secret}");
        }

        foreach (var (key, value) in first)
        {
            value.Length.ShouldBeGreaterThanOrEqualTo(16, $"{key} is short");
            second[key].ShouldNotBe(value, $"{key} is the same in two renders: a default, not a generated password");
        }

        static Dictionary<string, string> Passwords(string render) =>
            Renders.Of<V1Secret>(render)
                .SelectMany(secret => (secret.Data ?? new Dictionary<string, byte[]>())
                    .Where(entry => entry.Key is "password" or "keyfile")
                    .Select(entry => (Key: $"{secret.Name()}/{entry.Key}", Value: System.Text.Encoding.UTF8.GetString(entry.Value))))
                .ToDictionary(entry => entry.Key, entry => entry.Value);
    }

    [GeneratedRegex("(PASSWORD|SECRET|TOKEN|__Password$)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    /// <summary>A password in a connection string or a user:password@ URL that is not a $(VARIABLE) reference.</summary>
    [GeneratedRegex(@"(password\s*[=:]\s*(?!\$\(|\$\{)[^\s,;""']+|://[^/\s:@$]+:(?!\$\(|\$\{)[^@\s/]+@)", RegexOptions.IgnoreCase)]
    private static partial Regex PlaintextCredential();
}
