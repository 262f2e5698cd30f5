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
        ["mongodb-exporter"] = "its image holds the exporter alone (no shell, no HTTP client); nothing waits for it, Prometheus' up says whether it answers",
        ["redis-exporter"] = "its image holds the exporter alone (no shell, no HTTP client); nothing waits for it, Prometheus' up says whether it answers",
    };

    [Fact]
    public void With_prometheus_come_the_exporters_of_the_broker_mongodb_and_redis_that_it_scrapes_as_kubernetes_does()
    {
        var production = File.ReadAllText(Path.Combine(Repository.Root, "k8s", "components", "exporters", "exporters.yaml"));
        var prometheus = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(
            File.ReadAllText(Path.Combine(Repository.Root, "deploy", "compose", "prometheus", "prometheus.yml")));
        var jobs = ((List<object>)prometheus["scrape_configs"]).Cast<Dictionary<object, object>>()
            .ToDictionary(job => (string)job["job_name"], job => job.TryGetValue("static_configs", out var configs)
                ? ((List<object>)configs).Cast<Dictionary<object, object>>().SelectMany(config => ((List<object>)config["targets"]).Cast<string>()).ToList()
                : []);

        foreach (var (job, exporter, address) in new[] { ("activemq", "activemq-exporter", "activemq:9404"), ("mongodb", "mongodb-exporter", "mongodb-exporter:9216"), ("redis", "redis-exporter", "redis-exporter:9121") })
        {
            Services.Value.ShouldContainKey(exporter);
            var service = Services.Value[exporter];
            Profiles(service).ShouldBe(Profiles(Services.Value["prometheus"]), ignoreOrder: true, $"{exporter} does not come with Prometheus, which would report it down");
            production.ShouldContain($"image: {service["image"]}\n", Case.Sensitive, $"{exporter}: not the image and version of Kubernetes' sidecar");
            service["read_only"].ShouldBe("true", $"{exporter} can write its root filesystem");
            ((string)service["user"]).ShouldNotStartWith("0", customMessage: $"{exporter} runs as root");
            service.ShouldNotContainKey("ports", $"{exporter} publishes a port");
            jobs.ShouldContainKey(job, $"compose's Prometheus has no job {job}");
            jobs[job].ShouldBe([address], $"compose's Prometheus does not scrape {exporter}");
        }

        Profiles(Services.Value["prometheus"]).ShouldContain("monitoring");
        // The broker's exporter reads JMX on the broker container's loopback, which it shares.
        Services.Value["activemq-exporter"]["network_mode"].ShouldBe("service:activemq");
        ((string)((Dictionary<object, object>)Services.Value["activemq"]["environment"])["ACTIVEMQ_JMX_OPTS"]).ShouldContain("jmxremote.host=127.0.0.1");
        // MongoDB's reads as its own user, which the member creates, never as root.
        var mongodb = (Dictionary<object, object>)Services.Value["mongodb"]["environment"];
        var exporterEnvironment = (Dictionary<object, object>)Services.Value["mongodb-exporter"]["environment"];
        exporterEnvironment["MONGODB_USER"].ShouldBe(mongodb["MONGO_EXPORTER_USERNAME"]);
        exporterEnvironment["MONGODB_USER"].ShouldNotBe(mongodb["MONGO_ROOT_USERNAME"]);
        exporterEnvironment["MONGODB_PASSWORD"].ShouldBe(mongodb["MONGO_EXPORTER_PASSWORD"]);

        static List<string> Profiles(Dictionary<object, object> service) =>
            service.TryGetValue("profiles", out var profiles) ? [.. ((List<object>)profiles).Cast<string>()] : [];
    }

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
    public void The_dotnet_services_are_built_with_the_build_scripts_arguments_and_checked_by_dotnet_or_their_own_launcher()
    {
        // The project file decides whether a service is AOT, trimmed or framework-dependent; the build script reads it,
        // compose writes it down. An AOT or trimmed image has no dotnet: its own executable or launcher checks it.
        var (exitCode, output) = ExternalTool.Run("bash", ["scripts/build-images.sh", "--list"], Repository.Root);
        exitCode.ShouldBe(0, output);
        var listed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .Where(words => words[1] == "services/Dockerfile")
            .ToDictionary(words => words[0], words => words.Skip(2).Where(word => word != "--build-arg").Select(word => word.Split('=', 2))
                .ToDictionary(pair => pair[0], pair => pair[1]));
        listed.Keys.ShouldBe(["position-simulator", "queue-consumer", "position-tracker", "api-gateway", "gateway"], ignoreOrder: true);
        var file = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(Repository.Root, "docker-compose.yml")));
        var services = (Dictionary<object, object>)file["services"];

        foreach (var (name, arguments) in listed)
        {
            var service = (Dictionary<object, object>)services[name];
            var build = (Dictionary<object, object>)service["build"];
            ((string)build["dockerfile"]).ShouldBe("services/Dockerfile", name);
            var composeArguments = ((Dictionary<object, object>)build["args"]).ToDictionary(entry => (string)entry.Key, entry => (string)entry.Value);
            composeArguments.OrderBy(entry => entry.Key).ShouldBe(arguments.OrderBy(entry => entry.Key), $"{name}: compose's build arguments");

            var assembly = Path.GetFileNameWithoutExtension(arguments["PROJECT"]);
            var test = ((List<object>)((Dictionary<object, object>)service["healthcheck"])["test"]).Cast<string>();
            test.ShouldBe(arguments["PUBLISH"] != "framework-dependent" ? ["CMD", $"/app/{assembly}", "healthcheck"] : ["CMD", "dotnet", $"{assembly}.dll", "healthcheck"], name);
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
