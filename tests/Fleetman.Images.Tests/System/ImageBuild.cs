namespace Fleetman.Images.Tests.System;

/// <summary>
/// Builds every image once per test run, the way a user does on a machine that cannot pull images:
/// <c>scripts/local-base-images.sh --missing-only</c>, <c>scripts/build-images.sh --prebuilt</c> (every production
/// image, from one host publish) and <c>scripts/build-images.sh --course --from-built</c> (the course's, made from
/// those). Docker's layer cache makes a run without changes quick. Without a Docker engine every test is reported as
/// skipped, with the reason.
/// </summary>
public sealed class ImageBuild : IAsyncLifetime
{
    public const string ProductionTag = "1.0.0";

    public static readonly string[] CourseTags = ["release0", "release0-5"];

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
        // Each step's output is in the log; a failure names the step and shows its last lines. The first makes the
        // base images' stand-ins only where missing; the test command starts it in the background before the build,
        // and this run waits for that one (the script runs one at a time), so only these tests wait for the images.
        (string Script, string[] Arguments)[] steps =
        [
            ("scripts/local-base-images.sh", ["--missing-only"]),
            ("scripts/build-images.sh", ["--prebuilt"]),
            ("scripts/build-images.sh", ["--course", "--from-built"]),
        ];
        foreach (var (script, arguments) in steps)
        {
            File.AppendAllText(Log, $"\n==== {script} {string.Join(' ', arguments)}\n");
            var result = await Docker.RunProcessAsync(Path.Combine(Repository.Root, script), arguments, TimeSpan.FromMinutes(15), Log);
            if (!result.Succeeded)
            {
                Failure = $"{script} {string.Join(' ', arguments)} failed ({Log}): {result.Describe()}";
                return;
            }
        }

        BuildTime = clock.Elapsed;
        File.AppendAllText(Log, $"\nbuilt in {BuildTime.TotalSeconds:F0} s\n");
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
