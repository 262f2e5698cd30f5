namespace Fleetman.Testing;

/// <summary>
/// The .NET services published as their images ship them (<c>scripts/build-images.sh --publish-only</c>:
/// <c>artifacts/publish/&lt;name&gt;/</c>, the trimmed ones self-contained with a launcher), once per run of the test
/// command for every test that needs it: the image tests build their images from it, and the api-gateway's trimmed
/// test runs its launcher. Each did its own trimmed publish of the api-gateway before (minutes of both cores, twice).
/// The first test process to ask publishes under a lock; a later one waits for that lock and finds this run's publish
/// done. Outside the test command (<see cref="RunVariable"/> unset) nothing is shared. It publishes from the test
/// command's Release build (<c>--from-build</c>): the framework-dependent services are that build's assemblies and only
/// the trimmed ones are compiled again, for their runtime; their version carries no commit, as that build's and as the
/// images CI builds from the Dockerfiles (the commit is each image's revision label).
/// </summary>
public static class ShippedPublish
{
    /// <summary>Set by scripts/test.sh to an id of its run: the run a publish was made in.</summary>
    public const string RunVariable = "FLEETMAN_TEST_RUN";

    /// <summary>Where each service's publish is: <c>artifacts/publish/&lt;name&gt;/</c>.</summary>
    public static string Root => Path.Combine(Repository.Root, "artifacts", "publish");

    /// <summary>Its log (one line per output line of build-images.sh), in the tests' log folder.</summary>
    public static string Log => Path.Combine(Repository.Root, ".fleetman", "test-logs", "shipped-publish.log");

    /// <summary>Whether this is a run of the test command, whose tests share one publish.</summary>
    public static bool Shared => Environment.GetEnvironmentVariable(RunVariable) is { Length: > 0 };

    /// <summary>
    /// This run's publish of every .NET image's service, made now unless another test process made it already in this
    /// run (it waits while one is making it). Null when done; otherwise why it failed.
    /// </summary>
    public static async Task<string?> EnsureAsync()
    {
        var run = Environment.GetEnvironmentVariable(RunVariable)
            ?? throw new InvalidOperationException($"{RunVariable} is not set: not a run of scripts/test.sh");
        var state = Directory.CreateDirectory(Path.Combine(Repository.Root, ".fleetman")).FullName;
        var done = Path.Combine(state, "shipped-publish.done");
        // Longer than the publish may take (below): a process waiting here waits for another's publish.
        using var held = await FileLock.TakeAsync(Path.Combine(state, "shipped-publish.lock"), TimeSpan.FromMinutes(30));
        if (File.Exists(done) && (await File.ReadAllTextAsync(done)).Trim() == run)
        {
            return null;
        }

        File.Delete(done);
        Directory.CreateDirectory(Path.GetDirectoryName(Log)!);
        // The simulator's Native AOT compile is about 150 CPU-seconds of it (docs/performance.md, "Native AOT for the
        // simulator"), the publish 11-12 minutes already at load 16-56 before it: a limit for a publish that hangs,
        // not a measure of how soon it should end.
        var result = await ToolRun.RunAsync(Path.Combine(Repository.Root, "scripts", "build-images.sh"), ["--publish-only", "--from-build"],
            workingDirectory: Repository.Root, timeout: TimeSpan.FromMinutes(25));
        await File.WriteAllTextAsync(Log, result.Everything);
        if (result.ExitCode != 0)
        {
            return $"scripts/build-images.sh --publish-only --from-build failed with exit code {result.ExitCode} (log {Log}):\n{string.Join('\n', result.Everything.Split('\n').TakeLast(30))}";
        }

        await File.WriteAllTextAsync(done, run);
        return null;
    }
}
