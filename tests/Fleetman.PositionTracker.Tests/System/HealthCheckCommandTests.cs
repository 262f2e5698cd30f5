namespace Fleetman.PositionTracker.Tests.System;

/// <summary>The container's health command: the tracker's own binary, started as a process, asks a running tracker.</summary>
public sealed class HealthCheckCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetman-tracker-" + Guid.NewGuid().ToString("N")[..8]);
    private ServiceProcess _tracker = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _tracker = await ServiceProcess.StartAsync("position-tracker", "Fleetman.PositionTracker", new Dictionary<string, string?>
        {
            ["ConnectionStrings__Redis"] = await BrokerInstance.Shared().RedisConnectionStringAsync(),
            ["LatestPositions__KeyPrefix"] = $"test:{Guid.NewGuid():N}",
            ["Store__SqlitePath"] = Path.Combine(_folder, "positions.db"),
        });
    }

    public async Task DisposeAsync()
    {
        await _tracker.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_healthcheck_command_asks_the_running_instance_and_exits_with_its_answer()
    {
        var port = _tracker.Http.BaseAddress!.Port;
        var dll = ServiceProcess.BuildOutput("services/position-tracker", "Fleetman.PositionTracker");

        var (ready, readyOutput) = await RunAsync(dll, port, "healthcheck");
        var (missing, missingOutput) = await RunAsync(dll, port, "healthcheck", "/no-such-path");

        ready.ShouldBe(0, readyOutput);
        readyOutput.Trim().ShouldBe($"200 http://127.0.0.1:{port}/healthz/ready");
        missing.ShouldBe(1, missingOutput);
        missingOutput.ShouldStartWith("404 ");

        static async Task<(int ExitCode, string Output)> RunAsync(string dll, int port, params string[] args)
        {
            var run = await ToolRun.RunAsync(
                "dotnet", [dll, .. args], new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = $"{port}" }, timeout: TimeSpan.FromSeconds(30));
            return (run.ExitCode, run.Output);
        }
    }
}
