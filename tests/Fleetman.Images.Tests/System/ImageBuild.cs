namespace Fleetman.Images.Tests.System;

/// <summary>
/// Builds every image once per test run, the way a user does on a machine that cannot pull images:
/// <c>scripts/local-base-images.sh --missing-only</c>, <c>scripts/build-images.sh --prebuilt</c> (every production
/// image, from one host publish) and <c>scripts/build-images.sh --course --from-built</c> (the course's, made from
/// those). Docker's layer cache makes a run without changes quick. Without a Docker engine every test is reported as
/// skipped, with the reason. In a run of the test command the .NET services' publish is the run's one
/// (<see cref="ShippedPublish"/>, shared with the api-gateway's trimmed test), made beside the base images' wait, and
/// <c>--prebuilt --published</c> builds the images from it.
/// </summary>
public sealed class ImageBuild : IAsyncLifetime
{
    public const string ProductionTag = "1.0.0";

    public static readonly string[] CourseTags = ["release0", "release0-5"];

    private TimeSpan _publishedAfter;

    public string? SkipReason { get; private set; }

    public string? Failure { get; private set; }

    public TimeSpan BuildTime { get; private set; }

    public string Log { get; } = Path.Combine(Directory.CreateDirectory(Path.Combine(Repository.Root, ".fleetman", "test-logs")).FullName, "images-build.log");

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("FLEETMAN_SKIP_IMAGE_TESTS") is { Length: > 0 } skip && skip != "0")
        {
            SkipReason = "FLEETMAN_SKIP_IMAGE_TESTS is set";
            return;
        }

        var engine = await Docker.RunAsync("version", "--format", "{{.Server.Version}}");
        if (!engine.Succeeded)
        {
            var why = $"{engine.Error}\n{engine.Output}".Trim().Split('\n')[^1];
            SkipReason = $"no Docker engine to build and run images on this machine (docker version: {why})";
            return;
        }

        File.WriteAllText(Log, $"Docker engine {engine.Output}\n");
        var clock = Stopwatch.StartNew();

        // The base images' stand-ins, made only where missing: the test command starts that in the background before
        // the build, and this run waits for that one (the script runs one at a time), so only these tests wait for the
        // images. Meanwhile (a fresh machine's debootstrap waits on the network, the publish on the cores) the run's
        // publish of the services, when it is shared.
        var published = ShippedPublish.Shared ? PublishAsync(clock) : Task.FromResult<string?>(null);
        var baseImages = await StepAsync("scripts/local-base-images.sh", ["--missing-only"]);
        Failure = baseImages ?? await published;
        if (ShippedPublish.Shared)
        {
            File.AppendAllText(Log, $"\n==== the run's publish of the services (log {ShippedPublish.Log}): ready after {_publishedAfter.TotalSeconds:F0} s\n");
        }

        if (Failure is not null)
        {
            return;
        }

        string[] production = ShippedPublish.Shared ? ["--prebuilt", "--published"] : ["--prebuilt"];
        Failure = await StepAsync("scripts/build-images.sh", production) ?? await StepAsync("scripts/build-images.sh", ["--course", "--from-built"]);
        if (Failure is not null)
        {
            return;
        }

        BuildTime = clock.Elapsed;
        File.AppendAllText(Log, $"\nbuilt in {BuildTime.TotalSeconds:F0} s\n");
    }

    /// <summary>
    /// Runs one step of the build; its output goes to the log, with the seconds since the step began. Null when it
    /// succeeded; otherwise the failure, naming the step and with its last lines.
    /// </summary>
    private async Task<string?> StepAsync(string script, string[] arguments)
    {
        var step = $"{script} {string.Join(' ', arguments)}";
        File.AppendAllText(Log, $"\n==== {step}\n");
        var result = await Docker.RunProcessAsync(Path.Combine(Repository.Root, script), arguments, TimeSpan.FromMinutes(15), Log);
        return result.Succeeded ? null : $"{step} failed ({Log}): {result.Describe()}";
    }

    /// <summary>The run's publish; when it was ready is written to the log once the step beside it has ended (that one writes to it meanwhile).</summary>
    private async Task<string?> PublishAsync(Stopwatch clock)
    {
        var failure = await ShippedPublish.EnsureAsync();
        _publishedAfter = clock.Elapsed;
        return failure;
    }

    /// <summary>Skips the calling test without a Docker engine; fails it when the images could not be built.</summary>
    public void Require()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Failure.ShouldBeNull();
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class ImagesInOneRun : ICollectionFixture<ImageBuild>
{
    // One build for every test class, and one class at a time: containers and builds share the machine's two cores.
    public const string Name = "images";
}
