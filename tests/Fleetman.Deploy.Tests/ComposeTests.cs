using System.Text.RegularExpressions;
using Fleetman.Testing;
using YamlDotNet.Serialization;

namespace Fleetman.Deploy.Tests;

/// <summary>
/// docker-compose.yml as docker-compose itself resolved it (<c>docker-compose config</c> with every profile, written by
/// scripts/render-manifests.sh), and the file as written: healthy start order, locked-down containers, no passwords.
/// </summary>
public sealed partial class ComposeTests
{
    private static readonly string[] ProjectImages =
        ["position-simulator", "queue-consumer", "position-tracker", "api-gateway", "gateway", "webapp"];

    private static readonly Lazy<Dictionary<string, Dictionary<object, object>>> Services = new(() =>
    {
        var path = Path.Combine(Renders.Folder, "compose.yaml");
        File.Exists(path).ShouldBeTrue($"{path} is missing: scripts/render-manifests.sh runs docker-compose config (apt-get install docker-compose)");
        var file = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(File.ReadAllText(path));
        return ((Dictionary<object, object>)file["services"]).ToDictionary(entry => (string)entry.Key, entry => (Dictionary<object, object>)entry.Value);
    });

    [Fact]
    public void The_whole_system_runs_with_the_edge_published_on_port_8080()
    {
        foreach (var name in ProjectImages.Concat(["activemq", "mongodb", "redis", "prometheus", "grafana", "elasticsearch", "fluent-bit", "kibana"]))
        {
            Services.Value.ShouldContainKey(name);
        }

        // docker-compose 1.29 writes ports as [host address:]published:target/protocol.
        var ports = ((List<object>)Services.Value["gateway"]["ports"]).Cast<string>();
        ports.ShouldContain(port => port.EndsWith(":8080:8080/tcp", StringComparison.Ordinal) || port == "8080:8080/tcp");
    }

    /// <summary>Long-running services without a healthcheck, and why.</summary>
    private static readonly Dictionary<string, string> WithoutHealthcheck = new()
    {
        ["fluent-bit"] = "its image has no shell and no HTTP client to ask its health endpoint; nothing waits for it",
    };

    [Fact]
    public void Every_long_running_service_has_a_healthcheck_and_starts_after_its_dependencies_are_healthy()
    {
        foreach (var (name, service) in Services.Value)
        {
            var oneShot = service.TryGetValue("restart", out var restart) && (string)restart is "no" or "on-failure";
            if (!oneShot && !WithoutHealthcheck.ContainsKey(name))
            {
                service.ShouldContainKey("healthcheck", $"{name} has no healthcheck");
            }

            if (service.TryGetValue("depends_on", out var dependsOn))
            {
                foreach (var (dependency, condition) in (Dictionary<object, object>)dependsOn)
                {
                    ((string)((Dictionary<object, object>)condition)["condition"]).ShouldBeOneOf(
                        ["service_healthy", "service_completed_successfully"], $"{name} starts before {dependency} is ready");
                }
            }
        }
    }

    [Fact]
    public void Project_services_run_locked_down_as_non_root_from_pinned_images()
    {
        foreach (var name in ProjectImages)
        {
            var service = Services.Value[name];
            service["read_only"].ShouldBe("true", $"{name} can write its root filesystem");
            ((string)service["user"]).ShouldStartWith("1654", customMessage: $"{name} user");
            ((List<object>)service["cap_drop"]).ShouldContain("ALL");
            ((List<object>)service["security_opt"]).ShouldContain("no-new-privileges:true");
            service.ShouldContainKey("mem_limit");
        }

        foreach (var (name, service) in Services.Value)
        {
            var image = (string)service["image"];
            image.ShouldNotEndWith(":latest", customMessage: name);
            image[(image.LastIndexOf('/') + 1)..].ShouldContain(':', customMessage: $"{name} image {image} has no tag");
        }
    }

    [Fact]
    public void The_file_as_written_takes_every_credential_from_the_environment_with_no_default()
    {
        var text = File.ReadAllText(Path.Combine(Repository.Root, "docker-compose.yml"));

        foreach (Match match in CredentialLine().Matches(text))
        {
            var value = match.Groups["value"].Value;
            if (value.StartsWith('/'))
            {
                continue; // a file's path, e.g. where the key file is written at start
            }

            value.ShouldStartWith("${", customMessage: $"'{match.Value.Trim()}' is written down");
            value.ShouldNotContain(":-", customMessage: $"'{match.Value.Trim()}' has a default");
        }

        text.ShouldContain("REDIS_PASSWORD:?");
        text.ShouldContain("GATEWAY_ADMIN_PASSWORD:?");
    }

    /// <summary>A setting whose name says it is a credential, with its value (environment maps and lists alike).</summary>
    [GeneratedRegex(@"^\s*-?\s*[A-Za-z_]*(PASSWORD|Password|SECRET|KEYFILE)[A-Za-z_]*\s*[:=]\s*(?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex CredentialLine();
}
