namespace Fleetman.Deploy.Tests;

/// <summary>
/// The runtime settings the trimmed services' images set (<c>ENV DOTNET_…</c> in services/Dockerfile) reach the
/// services the benchmarks start by their launcher, and only those (the AOT image sets none), read from the Dockerfile
/// itself (scripts/lib/shipped-services.sh), so the benchmarks measure what the images run.
/// </summary>
public sealed class ShippedEnvironmentTests
{
    [Fact]
    public void The_benchmarks_give_their_trimmed_services_every_runtime_setting_of_the_trimmed_stage_and_nothing_else()
    {
        // The GC's gen-0 budget is read from the environment only: the image is where it can ship. A DOTNET_ setting
        // of another stage (the framework-dependent services' base) is not the trimmed services' to take.
        var trimmedStage = File.ReadAllText(Path.Combine(Repository.Root, "services", "Dockerfile"))
            .Split("\nFROM ").Single(stage => stage.Contains(" AS runtime-trimmed\n", StringComparison.Ordinal));
        trimmedStage.ShouldContain("\nENV DOTNET_GCgen0size=0x200000\n");
        var trimmedSettings = trimmedStage.Split('\n')
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(words => words is ["ENV", var setting] && setting.StartsWith("DOTNET_", StringComparison.Ordinal))
            .Select(words => words[1])
            .ToList();

        var (exitCode, output) = ExternalTool.Run(
            "bash", ["-c", "source scripts/lib/shipped-services.sh && export_shipped_environment && echo \"$FLEETMAN_SHIPPED_ENVIRONMENT\""], Repository.Root);

        exitCode.ShouldBe(0, output);
        output.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).ShouldBe(trimmedSettings, ignoreOrder: true);
    }

    [Fact]
    public void The_AOT_services_image_sets_no_runtime_setting_of_its_own_so_the_benchmarks_give_its_executable_none()
    {
        // ServiceProcess gives the trimmed stage's settings to a trimmed launcher only: the AOT stage must set none for
        // the benchmarks to run the AOT simulator as its image does.
        var aotStage = File.ReadAllText(Path.Combine(Repository.Root, "services", "Dockerfile"))
            .Split("\nFROM ").Single(stage => stage.Contains(" AS runtime-aot\n", StringComparison.Ordinal));

        aotStage.Split('\n').Where(line => line.StartsWith("ENV ", StringComparison.Ordinal)).ShouldBeEmpty();
        aotStage.ShouldContain("\nENTRYPOINT [\"/app/app\"]\n");
    }
}
