using System.Diagnostics;
using Fleetman.Testing;

namespace Fleetman.Images.Tests;

/// <summary>
/// Builds every image once per test run, the way a user does on a machine that cannot pull images:
/// <c>scripts/local-base-images.sh</c> (only when a base image is missing), <c>scripts/build-images.sh --prebuilt --course</c>
/// (the production images the course's are made from, then the course's) and <c>scripts/build-images.sh --prebuilt
/// load-generator</c>. Docker's layer cache makes a run without changes quick. Without a Docker engine every test is
/// reported as skipped, with the reason.
/// </summary>
public sealed class ImageBuild : IAsyncLifetime
{
    public const string ProductionTag = "1.0.0";

    public static readonly string[] CourseTags = ["release0", "release0-5"];

    /// <summary>The images the Dockerfiles start from (their default arguments), which local-base-images.sh stands in for.</summary>
    private static readonly (string Dockerfile, string Argument)[] BaseImages =
    [
        ("services/queue-consumer/Dockerfile", "RUNTIME_IMAGE"),
        ("webapp/Dockerfile", "RUNTIME_IMAGE"),
        ("tools/Fleetman.LoadGenerator/Dockerfile", "RUNTIME_IMAGE"),
        ("deploy/course-images/service/Dockerfile", "COURSE_IMAGE"),
        ("deploy/course-images/queue/Dockerfile", "ACTIVEMQ_IMAGE"),
    ];

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
        var missing = new List<string>();
        foreach (var (dockerfile, argument) in BaseImages)
        {
            var image = DefaultArgument(dockerfile, argument);
            if (!(await Docker.RunAsync("image", "inspect", "--format", "{{.Id}}", image)).Succeeded)
            {
                missing.Add(image);
            }
        }

        // Each step's output is in the log; a failure names the step and shows its last lines.
        var steps = new List<(string Script, string[] Arguments)>();
        if (missing.Count > 0)
        {
            File.AppendAllText(Log, $"missing base images: {string.Join(", ", missing)}\n");
            steps.Add(("scripts/local-base-images.sh", []));
        }

        steps.Add(("scripts/build-images.sh", ["--prebuilt", "--course"]));
        steps.Add(("scripts/build-images.sh", ["--prebuilt", "load-generator"]));
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

    public static string DefaultArgument(string dockerfile, string argument)
    {
        var prefix = $"ARG {argument}=";
        var line = File.ReadLines(Path.Combine(Repository.Root, dockerfile)).FirstOrDefault(line => line.StartsWith(prefix, StringComparison.Ordinal));
        line.ShouldNotBeNull($"{dockerfile} has {prefix}");
        return line[prefix.Length..].Trim();
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class ImagesInOneRun : ICollectionFixture<ImageBuild>
{
    // One build for every test class, and one class at a time: containers and builds share the machine's two cores.
    public const string Name = "images";
}
