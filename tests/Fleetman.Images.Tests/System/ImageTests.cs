using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Fleetman.Images.Tests.System;

/// <summary>What every image shares, and how the services are started without their infrastructure.</summary>
internal static class Images
{
    public const string ServiceUser = "1654:1654";

    public const string BrokerUser = "10001:10001";

    /// <summary>
    /// The five .NET images of production and of the course (the course's webapp is the edge), with how each is
    /// published (scripts/build-images.sh --list): aot, the production image holds one native executable on the
    /// runtime-deps base; trimmed, the service self-contained and trimmed on that base (no .NET runtime, its own
    /// launcher); framework-dependent, on the ASP.NET base.
    /// </summary>
    public static readonly (string Production, string Course, string Assembly, string Publish)[] DotnetServices =
    [
        ("position-simulator", "position-simulator", "Fleetman.PositionSimulator", "aot"),
        ("queue-consumer", "queue-consumer", "Fleetman.QueueConsumer", "framework-dependent"),
        ("position-tracker", "position-tracker", "Fleetman.PositionTracker", "framework-dependent"),
        ("api-gateway", "api-gateway", "Fleetman.ApiGateway", "trimmed"),
        ("gateway", "webapp", "Fleetman.Gateway", "trimmed"),
    ];

    /// <summary>A production .NET image's health command, as docker-compose.yml runs it.</summary>
    public static string[] HealthCommand(string assembly, string publish) =>
        publish == "framework-dependent" ? ["dotnet", $"{assembly}.dll", "healthcheck", "/healthz/live"] : [$"/app/{assembly}", "healthcheck", "/healthz/live"];

    /// <summary>
    /// Enough for every service to start and be alive with nothing else running: credentials (there are no defaults),
    /// a Redis that is not there, and SQLite in <c>/tmp</c> instead of MongoDB (which also loads SQLite's native
    /// library on the image's C library). The broker and Redis are retried in the background.
    /// </summary>
    public static readonly Dictionary<string, string> ServiceSettings = new()
    {
        ["Broker__Username"] = "fleetman-image-test",
        ["Broker__Password"] = "not-a-real-password",
        ["ConnectionStrings__Redis"] = "127.0.0.1:1,abortConnect=false",
        ["Store__Provider"] = "Sqlite",
        ["Store__SqlitePath"] = "/tmp/positions.db",
    };

    /// <summary>
    /// How long a container may take to answer its health command. These tests check that it answers, not how soon
    /// (tools/bench-pipeline.sh measures the time to ready): they run beside the browser tests on two cores, where
    /// course images missed a 45 s limit in a whole run and answered within 1–16 s when run again alone.
    /// </summary>
    public static readonly TimeSpan StartWithin = TimeSpan.FromSeconds(120);

    public static string Release(string tag) => tag.StartsWith("release", StringComparison.Ordinal) ? tag["release".Length..].TrimStart('-') : tag;

    public static async Task<JsonElement> ConfigAsync(string image)
    {
        var inspect = await Docker.RunAsync("image", "inspect", "--format", "{{json .Config}}", image);
        inspect.Succeeded.ShouldBeTrue($"{image} is built: {inspect.Describe()}");
        return JsonDocument.Parse(inspect.Output).RootElement.Clone();
    }

    public static Dictionary<string, string> Environment(JsonElement config) =>
        config.GetProperty("Env").EnumerateArray().Select(entry => entry.GetString()!.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");
}

[Collection(ImagesInOneRun.Name)]
public sealed class ProductionImageTests(ImageBuild build, StartedTogether together) : IClassFixture<StartedTogether>
{
    public static TheoryData<string> Services() => [.. Images.DotnetServices.Select(service => service.Production)];

    [SkippableTheory]
    [MemberData(nameof(Services))]
    public async Task A_service_image_runs_as_1654_on_a_read_only_root_filesystem_and_answers_its_health_command(string name)
    {
        build.Require();
        var image = $"fleetman/{name}:{ImageBuild.ProductionTag}";
        (await Images.ConfigAsync(image)).GetProperty("User").GetString().ShouldBe(Images.ServiceUser);

        // Each started until healthy, a few at a time (StartedTogether.AtOnce): its StartWithin is its own, not shared with all
        // the others starting on the same cores.
        var services = Images.DotnetServices.ToDictionary(service => $"fleetman/{service.Production}:{ImageBuild.ProductionTag}");
        await using var container = await together.For(nameof(A_service_image_runs_as_1654_on_a_read_only_root_filesystem_and_answers_its_health_command), image, services.Keys,
            each => Container.StartHealthyAsync(each, Images.ServiceUser, Images.ServiceSettings, Images.StartWithin, Images.HealthCommand(services[each].Assembly, services[each].Publish)));
        container.Health!.Output.ShouldStartWith("200");
    }

    [SkippableFact]
    public async Task The_AOT_and_trimmed_service_images_run_their_own_executable_without_a_dotnet_runtime_and_become_ready_with_a_broker()
    {
        build.Require();

        // A broker of their own (the course's queue image, built in this run) on a network of their own: the simulator
        // is ready once it is connected; the edge needs nothing to be.
        const string user = "fleetman-image-test";
        const string password = "not-a-real-password";
        var network = "fleetman-image-test-" + Guid.NewGuid().ToString("N")[..10];
        var created = await Docker.RunAsync("network", "create", network);
        created.Succeeded.ShouldBeTrue(created.Describe());
        try
        {
            await using var broker = await Container.StartAsync($"fleetman-course/queue:{ImageBuild.CourseTags[0]}", Images.BrokerUser, new Dictionary<string, string>
            {
                ["ACTIVEMQ_BROKER_USERNAME"] = user,
                ["ACTIVEMQ_BROKER_PASSWORD"] = password,
                ["ACTIVEMQ_WEB_PASSWORD"] = "another-password",
            }, "--tmpfs", "/opt/apache-activemq/data:uid=10001,gid=10001", "--network", network, "--network-alias", "queue");
            var settings = new Dictionary<string, string>(Images.ServiceSettings)
            {
                ["Broker__Host"] = "queue",
                ["Broker__Port"] = "61613",
                ["Broker__Username"] = user,
                ["Broker__Password"] = password,
            };

            // The api-gateway's readiness needs Redis too, which no image here provides: its image answers its health
            // command above, and its trimmed publish is started with the broker and Redis, and compared with its build
            // output, by tests/Fleetman.ApiGateway.Tests/System/TrimmedPublishTests.cs. The others are checked side by
            // side, while the broker starts: the edge needs nothing to be ready, the simulator waits for the broker.
            await Task.WhenAll(Images.DotnetServices.Where(service => service.Publish != "framework-dependent" && service.Production != "api-gateway").Select(async service =>
            {
                var image = $"fleetman/{service.Production}:{ImageBuild.ProductionTag}";
                var config = await Images.ConfigAsync(image);
                config.GetProperty("Entrypoint").EnumerateArray().Select(part => part.GetString()).ShouldBe(["/app/app"], $"{image}'s entry point");

                // No shared framework to fall back on: the service and its trimmed runtime are all in /app.
                var dotnet = await Docker.RunAsync("run", "--rm", "--read-only", "--user", Images.ServiceUser, "--entrypoint", "dotnet", image, "--info");
                dotnet.Succeeded.ShouldBeFalse($"{image} has a dotnet command: {dotnet.Describe()}");
                if (service.Publish == "aot")
                {
                    (await AppFilesAsync(image, service.Assembly, $"{service.Assembly}.dll", "System.Private.CoreLib.dll"))
                        .ShouldBe([service.Assembly], $"{image}: its native executable, and neither its assembly nor a runtime to run one");
                }

                await using var container = await Container.StartAsync(image, Images.ServiceUser, settings, "--network", network);
                // The broker's JVM may still be starting: the simulator is ready once it has connected. Its health
                // command is tried once the service listens (Container.StartHealthyAsync says why).
                await container.WaitForLogAsync(Container.HostStarted, Images.StartWithin);
                var ready = await container.WaitUntilAsync(Images.StartWithin, $"/app/{service.Assembly}", "healthcheck", "/healthz/ready");
                ready.Output.ShouldStartWith("200", customMessage: image);
            }));
        }
        finally
        {
            await Docker.RunAsync("network", "rm", network);
        }
    }

    /// <summary>Which of <paramref name="files"/> the image has in /app (it has no shell to list them: copied out of a created container).</summary>
    private static async Task<string[]> AppFilesAsync(string image, params string[] files)
    {
        var created = await Docker.RunAsync("create", image);
        created.Succeeded.ShouldBeTrue(created.Describe());
        var container = created.Output.Trim();
        try
        {
            var present = new List<string>();
            foreach (var file in files)
            {
                var copy = Path.Combine(Path.GetTempPath(), $"fleetman-image-file-{Guid.NewGuid():N}");
                if ((await Docker.RunAsync("cp", $"{container}:/app/{file}", copy)).Succeeded)
                {
                    present.Add(file);
                    File.Delete(copy);
                }
            }

            return [.. present];
        }
        finally
        {
            await Docker.RunAsync("rm", container);
        }
    }

    [SkippableFact]
    public async Task The_webapp_image_runs_as_1654_on_a_read_only_root_filesystem_and_answers_its_own_check()
    {
        build.Require();
        var image = $"fleetman/webapp:{ImageBuild.ProductionTag}";
        (await Images.ConfigAsync(image)).GetProperty("User").GetString().ShouldBe(Images.ServiceUser);

        await using var container = await Container.StartAsync(image, Images.ServiceUser, new Dictionary<string, string>());
        await container.WaitUntilAsync(Images.StartWithin, "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz/ready");
        var page = await container.ExecAsync("wget", "-q", "-O", "-", "http://127.0.0.1:8080/");
        page.Output.ShouldContain("<title>Fleetman Live");
    }

    [SkippableFact]
    public async Task The_webapp_image_sends_the_gzip_copy_its_build_wrote_for_a_hashed_asset()
    {
        build.Require();
        await using var container = await Container.StartAsync($"fleetman/webapp:{ImageBuild.ProductionTag}", Images.ServiceUser, new Dictionary<string, string>());
        await container.WaitUntilAsync(Images.StartWithin, "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz/ready");
        var page = await container.ExecAsync("wget", "-q", "-O", "-", "http://127.0.0.1:8080/");
        var script = global::System.Text.RegularExpressions.Regex.Match(page.Output, "/assets/[^\"]+\\.js").Value;
        script.ShouldNotBeEmpty($"no script under /assets/ in the page:\n{page.Output}");

        // nginx's gzip_static sends the build's copy as it is, with its length; compressing on the fly sends none.
        var copy = await container.ExecAsync("stat", "-c", "%s", $"/usr/share/nginx/html{script}.gz");
        copy.Succeeded.ShouldBeTrue($"the build wrote no gzip copy of {script}: {copy.Error}");
        var answer = await container.ExecAsync("wget", "-S", "-O", "/dev/null", "--header=Accept-Encoding: gzip", $"http://127.0.0.1:8080{script}");
        var headers = answer.Error + answer.Output;
        headers.ShouldMatch("(?i)Content-Encoding:\\s*gzip");
        headers.ShouldMatch($"(?i)Content-Length:\\s*{copy.Output.Trim()}\\b");
        headers.ShouldMatch("(?i)Cache-Control:\\s*public, max-age=31536000, immutable");
    }

    [SkippableFact]
    public async Task Every_image_names_the_commit_it_was_built_from_and_its_tag_in_its_labels()
    {
        build.Require();

        // The one place an image says its commit: the test run's publish leaves it out of the services' version, as the
        // images CI builds from the Dockerfiles do (their build context has no .git), so the label must have it.
        var head = await Docker.RunProcessAsync("git", ["rev-parse", "HEAD"], TimeSpan.FromMinutes(1));
        head.Succeeded.ShouldBeTrue(head.Describe());
        var production = Images.DotnetServices.Select(service => service.Production).Append("webapp").Append("load-generator");
        var images = production.Select(name => (Image: $"fleetman/{name}:{ImageBuild.ProductionTag}", Tag: ImageBuild.ProductionTag))
            .Concat(CourseImageTests.Every().Select(row => (Image: $"fleetman-course/{row[0]}:{row[1]}", Tag: (string)row[1])));
        foreach (var (image, tag) in images)
        {
            var labels = (await Images.ConfigAsync(image)).GetProperty("Labels");
            labels.GetProperty("org.opencontainers.image.revision").GetString().ShouldBe(head.Output, image);
            labels.GetProperty("org.opencontainers.image.version").GetString().ShouldBe(tag, image);
        }
    }

    [SkippableFact]
    public async Task The_load_generator_image_runs_as_1654_on_a_read_only_root_filesystem()
    {
        build.Require();
        var image = $"fleetman/load-generator:{ImageBuild.ProductionTag}";
        (await Images.ConfigAsync(image)).GetProperty("User").GetString().ShouldBe(Images.ServiceUser);

        // A console program: its own --help (the image's default arguments) is what it can do without an edge to load.
        var run = await Docker.RunAsync("run", "--rm", "--read-only", "--tmpfs", "/tmp", "--user", Images.ServiceUser, "--cap-drop", "ALL", image);
        run.Succeeded.ShouldBeTrue(run.Describe());
        run.Output.ShouldContain("--base-url");
    }
}

[Collection(ImagesInOneRun.Name)]
public sealed class CourseImageTests(ImageBuild build, StartedTogether together) : IClassFixture<StartedTogether>
{
    /// <summary>The course's Service addresses each image has baked in (credentials never are).</summary>
    private static readonly Dictionary<string, Dictionary<string, string>> CourseDefaults = new()
    {
        ["webapp"] = new()
        {
            ["Webapp__Root"] = "/app/wwwroot",
            ["ReverseProxy__Clusters__api-gateway__Destinations__d1__Address"] = "http://fleetman-api-gateway-pods:8080/",
            ["Gateway__DestinationDnsRefreshSeconds"] = "5",
            ["ReverseProxy__Clusters__position-simulator__Destinations__d1__Address"] = "http://fleetman-position-simulator:8080/",
            ["ReverseProxy__Clusters__activemq-console__Destinations__d1__Address"] = "http://fleetman-queue:8161/",
        },
        ["position-simulator"] = new() { ["Broker__Host"] = "fleetman-queue", ["Broker__Port"] = "61613" },
        ["queue-consumer"] = new()
        {
            ["Broker__Host"] = "fleetman-queue",
            ["Broker__Port"] = "61613",
            ["Store__Provider"] = "MongoDb",
            ["Store__MongoDatabase"] = "fleetman",
        },
        ["position-tracker"] = new() { ["Store__Provider"] = "MongoDb", ["Store__MongoDatabase"] = "fleetman" },
        ["api-gateway"] = new()
        {
            ["Broker__Host"] = "fleetman-queue",
            ["Broker__Port"] = "61613",
            ["Tracker__BaseAddress"] = "http://fleetman-position-tracker:8080/",
        },
        ["queue"] = new() { ["ACTIVEMQ_DATA"] = "/opt/apache-activemq/data" },
    };

    /// <summary>
    /// The tag whose containers are started to check what a course image does when it runs (answers its health
    /// command, runs the retention sweep, accepts the broker's credentials, has its tools). Every other tag of an image
    /// is the same filesystem and the same configuration but its release
    /// (<see cref="Every_tag_of_a_course_image_is_the_same_filesystem_and_configuration_but_its_release"/>), which none
    /// of those programs reads: its container would run the same program the same way, and starting it cost a .NET
    /// service's start (four of them) and the broker's JVM's again. The webapp, which shows its release, is started for
    /// every tag.
    /// </summary>
    private static readonly string StartedTag = ImageBuild.CourseTags[0];

    /// <summary>The variables that say an image's release (the webapp's Gateway__Release is what it reports).</summary>
    private static readonly string[] ReleaseVariables = ["FLEETMAN_RELEASE", "Gateway__Release"];

    public static TheoryData<string, string> Services()
    {
        var data = new TheoryData<string, string>();
        foreach (var service in Images.DotnetServices)
        {
            data.Add(service.Course, StartedTag);
        }

        return data;
    }

    public static TheoryData<string> Names() => [.. CourseDefaults.Keys];

    public static TheoryData<string, string> Every()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in CourseDefaults.Keys)
        {
            foreach (var tag in ImageBuild.CourseTags)
            {
                data.Add(name, tag);
            }
        }

        return data;
    }

    public static TheoryData<string> Tags() => [.. ImageBuild.CourseTags];

    public static TheoryData<string> StartedTags() => [StartedTag];

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public async Task Every_tag_of_a_course_image_is_the_same_filesystem_and_configuration_but_its_release(string name)
    {
        build.Require();
        var started = await WithoutReleaseAsync($"fleetman-course/{name}:{StartedTag}");
        foreach (var tag in ImageBuild.CourseTags.Where(tag => tag != StartedTag))
        {
            var image = $"fleetman-course/{name}:{tag}";
            var other = await WithoutReleaseAsync(image);
            other.Layers.ShouldBe(started.Layers, $"{image}'s filesystem layers");
            other.Config.ShouldBe(started.Config, $"{image}'s configuration but its release");
        }
    }

    /// <summary>
    /// An image's filesystem layers (their digests) and its configuration (user, entry point, environment, ports,
    /// labels) without what says its release: its release variables and its version label.
    /// </summary>
    private static async Task<(string Layers, string Config)> WithoutReleaseAsync(string image)
    {
        var layers = await Docker.RunAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", image);
        layers.Succeeded.ShouldBeTrue($"{image} is built: {layers.Describe()}");
        var config = JsonNode.Parse((await Images.ConfigAsync(image)).GetRawText())!.AsObject();
        var environment = config["Env"]!.AsArray();
        foreach (var entry in environment.Where(entry => ReleaseVariables.Any(variable => entry!.GetValue<string>().StartsWith(variable + "=", StringComparison.Ordinal))).ToList())
        {
            environment.Remove(entry);
        }

        config["Labels"]!.AsObject().Remove("org.opencontainers.image.version");
        return (layers.Output, config.ToJsonString());
    }

    [SkippableTheory]
    [MemberData(nameof(Every))]
    public async Task A_course_image_has_a_shell_env_cat_and_wget_its_release_and_the_courses_addresses_but_no_credentials(string name, string tag)
    {
        build.Require();
        var image = $"fleetman-course/{name}:{tag}";
        var environment = Images.Environment(await Images.ConfigAsync(image));

        environment["FLEETMAN_RELEASE"].ShouldBe(Images.Release(tag));
        foreach (var (key, value) in CourseDefaults[name])
        {
            environment.ShouldContainKeyAndValue(key, value);
        }

        environment.Keys.Where(key => key.Contains("password", StringComparison.OrdinalIgnoreCase) || key.Contains("username", StringComparison.OrdinalIgnoreCase)
            || key.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || key.EndsWith("ConnectionString", StringComparison.Ordinal)).ShouldBeEmpty();

        // Run in the started tag's image, the same filesystem as every tag's (StartedTag).
        var tools = await together.For(nameof(A_course_image_has_a_shell_env_cat_and_wget_its_release_and_the_courses_addresses_but_no_credentials), $"fleetman-course/{name}:{StartedTag}",
            CourseDefaults.Keys.Select(each => $"fleetman-course/{each}:{StartedTag}"),
            each => Docker.RunAsync("run", "--rm", "--entrypoint", "sh", each, "-c",
                "for tool in env cat wget; do command -v \"$tool\" >/dev/null || { echo \"no $tool\"; exit 1; }; done; echo ok"));
        tools.Succeeded.ShouldBeTrue(tools.Describe());
        tools.Output.ShouldBe("ok");
    }

    [SkippableTheory]
    [MemberData(nameof(Services))]
    public async Task A_course_service_image_runs_as_1654_on_a_read_only_root_filesystem_and_answers_its_health_command(string name, string tag)
    {
        build.Require();
        var image = $"fleetman-course/{name}:{tag}";
        (await Images.ConfigAsync(image)).GetProperty("User").GetString().ShouldBe(Images.ServiceUser);

        // Each started until healthy, a few at a time, as the production images above.
        var services = Images.DotnetServices.ToDictionary(service => $"fleetman-course/{service.Course}:{StartedTag}");
        await using var container = await together.For(nameof(A_course_service_image_runs_as_1654_on_a_read_only_root_filesystem_and_answers_its_health_command), image, services.Keys,
            each => Container.StartHealthyAsync(each, Images.ServiceUser, Images.ServiceSettings, Images.StartWithin, CourseHealthCommand(services[each].Assembly, services[each].Publish)));
        container.Health!.Output.ShouldStartWith("200");
    }

    /// <summary>
    /// A course .NET image's health command: its assembly run by dotnet (the image's .NET, or the trimmed runtime in
    /// /app), or for a Native AOT service, which has no assembly, its executable.
    /// </summary>
    private static string[] CourseHealthCommand(string assembly, string publish) =>
        publish == "aot" ? [$"/app/{assembly}", "healthcheck", "/healthz/live"] : ["dotnet", $"{assembly}.dll", "healthcheck", "/healthz/live"];

    [SkippableTheory]
    [MemberData(nameof(StartedTags))]
    public async Task The_course_tracker_image_runs_the_retention_sweep_from_a_pods_args_as_the_course_s_Job_does(string tag)
    {
        build.Require();

        // k8s/course/18-jobs runs the image with `args: ["retention-sweep"]` after its entry point: they must reach the
        // tracker's program. An empty SQLite store in /tmp stands in for MongoDB.
        var run = await together.For(nameof(The_course_tracker_image_runs_the_retention_sweep_from_a_pods_args_as_the_course_s_Job_does), $"fleetman-course/position-tracker:{tag}",
            [$"fleetman-course/position-tracker:{StartedTag}"],
            image => Docker.RunAsync("run", "--rm", "--read-only", "--tmpfs", "/tmp", "--user", Images.ServiceUser, "--cap-drop", "ALL",
                "--env", "Store__Provider=Sqlite", "--env", "Store__SqlitePath=/tmp/positions.db", "--env", "Retention__KeepDays=7", image, "retention-sweep"));

        run.Succeeded.ShouldBeTrue(run.Describe());
        run.Output.ShouldContain("Retention sweep deleted 0 positions");
        run.Output.ShouldContain("Retention:KeepDays 7");
    }

    [SkippableTheory]
    [MemberData(nameof(Tags))]
    public async Task The_course_webapp_serves_the_map_and_reports_the_release_of_its_tag(string tag)
    {
        build.Require();
        await using var container = await together.For(nameof(The_course_webapp_serves_the_map_and_reports_the_release_of_its_tag), $"fleetman-course/webapp:{tag}", ImageBuild.CourseTags.Select(each => $"fleetman-course/webapp:{each}"),
            image => Container.StartAsync(image, Images.ServiceUser, new Dictionary<string, string>()));

        // Asked with the image's own wget, as a learner would from `kubectl exec`.
        var version = await container.WaitUntilAsync(Images.StartWithin, "wget", "-q", "-O", "-", "http://127.0.0.1:8080/version");
        var answer = JsonDocument.Parse(version.Output).RootElement;
        answer.GetProperty("service").GetString().ShouldBe("gateway");
        answer.GetProperty("release").GetString().ShouldBe(Images.Release(tag));
        var page = await container.ExecAsync("wget", "-q", "-O", "-", "http://127.0.0.1:8080/");
        page.Output.ShouldContain("<title>Fleetman Live");
    }

    [SkippableTheory]
    [MemberData(nameof(StartedTags))]
    public async Task The_course_queue_runs_as_10001_on_a_read_only_root_filesystem_and_accepts_the_services_credentials(string tag)
    {
        build.Require();
        var image = $"fleetman-course/queue:{tag}";
        (await Images.ConfigAsync(image)).GetProperty("User").GetString().ShouldBe(Images.BrokerUser);
        const string user = "fleetman-image-test";
        const string password = "not-a-real-password";

        // The data folder is a volume in a cluster (an emptyDir or a claim); here memory, owned by the broker's user.
        await using var container = await together.For(nameof(The_course_queue_runs_as_10001_on_a_read_only_root_filesystem_and_accepts_the_services_credentials), image, [$"fleetman-course/queue:{StartedTag}"],
            each => Container.StartAsync(each, Images.BrokerUser, new Dictionary<string, string>
            {
                ["ACTIVEMQ_BROKER_USERNAME"] = user,
                ["ACTIVEMQ_BROKER_PASSWORD"] = password,
                ["ACTIVEMQ_WEB_PASSWORD"] = "another-password",
            }, "--tmpfs", "/opt/apache-activemq/data:uid=10001,gid=10001", "--publish", "127.0.0.1::61613"));
        var (host, port) = await container.PublishedAsync(61613);

        // The broker's JVM takes a while to listen: asked until it answers, or until it has stopped.
        var answer = "";
        await Eventually.Until(async () => (answer = await StompConnectAsync(host, port, user, password)).StartsWith("CONNECTED", StringComparison.Ordinal),
            TimeSpan.FromSeconds(90), async () => $"the broker's STOMP answer: {answer}; its log:\n{await container.LogsAsync()}", container.StoppedAsync, Container.Every);
        (await StompConnectAsync(host, port, user, "wrong-password")).ShouldStartWith("ERROR");
    }

    /// <summary>A STOMP 1.2 CONNECT frame; the broker's answer (its first line is the command), or why there is none.</summary>
    private static async Task<string> StompConnectAsync(string host, int port, string login, string passcode)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.ConnectAsync(host, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"CONNECT\naccept-version:1.2\nhost:/\nlogin:{login}\npasscode:{passcode}\n\n\0"), timeout.Token);
            var buffer = new byte[1024];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return read == 0 ? "closed without an answer" : Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return e.Message;
        }
    }
}
