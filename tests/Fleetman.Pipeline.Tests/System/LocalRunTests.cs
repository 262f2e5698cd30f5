namespace Fleetman.Pipeline.Tests.System;

/// <summary>The README's run command: ./fleetman up, then down.</summary>
public sealed class LocalRunTests
{
    [Fact]
    public async Task Fleetman_up_starts_every_service_ready_with_vehicles_moving_and_down_stops_them()
    {
        await BrokerInstance.Shared().InfraAsync("start"); // already running, as for a developer: down must leave it running
        var home = Directory.CreateTempSubdirectory("fleetman-home-").FullName;
        var portBase = BrokerInstance.FreePortRange(15); // the services' ports and their management ports: base to base + 14
        var environment = new Dictionary<string, string>
        {
            ["FLEETMAN_HOME"] = home,
            ["FLEETMAN_PORT_BASE"] = portBase.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
            ["FLEETMAN_SKIP_BUILD"] = "1", // this test run's build is the one to start
            ["FLEETMAN_CONFIGURATION"] = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug",
            ["Messaging__Destinations__PositionReported"] = $"test.local-run.{Guid.NewGuid():N}",
            ["LatestPositions__KeyPrefix"] = $"test:{Guid.NewGuid():N}",
        };
        try
        {
            var up = await RunAsync("up", environment);
            up.ExitCode.ShouldBe(0, up.Output);
            up.Output.ShouldContain("Fleetman is running.");

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{portBase + 1}") };
            JsonElement[] vehicles = [];
            await Eventually.Until(() =>
            {
                vehicles = http.GetFromJsonAsync<JsonElement[]>("/vehicles/").GetAwaiter().GetResult()!;
                return vehicles.Length == 38 && vehicles.Any(v => v.GetProperty("speed").ValueKind == JsonValueKind.Number);
            }, TimeSpan.FromSeconds(30), () => $"{vehicles.Length} vehicles from the built-in routes");

            // The deployment smoke test (the Jenkinsfile runs it against a cluster) passes against the local run's edge.
            var smoke = await RunAsync(Path.Combine(Repository.Root, "scripts", "smoke-test.sh"), [$"http://127.0.0.1:{portBase}", "30"], environment);
            smoke.ExitCode.ShouldBe(0, smoke.Output);
            smoke.Output.ShouldContain("smoke: ok    API lists 38 vehicles");
            smoke.Output.ShouldContain("smoke: passed");
        }
        finally
        {
            var down = await RunAsync("down", environment);
            down.ExitCode.ShouldBe(0, down.Output);
            down.Output.ShouldContain("left running");
        }

        foreach (var offset in new[] { 1, 2, 3 })
        {
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Should.ThrowAsync<HttpRequestException>(() => probe.GetAsync(new Uri($"http://127.0.0.1:{portBase + offset}/healthz/live")));
        }

        (await BrokerInstance.Shared().InfraAsync("status")).ShouldContain("up");
        Directory.Delete(home, recursive: true);
    }

    private static Task<(int ExitCode, string Output)> RunAsync(string command, Dictionary<string, string> environment) =>
        RunAsync(Path.Combine(Repository.Root, "fleetman"), [command], environment);

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, string[] arguments, Dictionary<string, string> environment)
    {
        var run = await ToolRun.RunAsync("bash", [script, .. arguments], environment, Repository.Root);
        return (run.ExitCode, run.Everything);
    }
}
