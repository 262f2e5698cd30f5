namespace Fleetman.PositionTracker.Tests.System;

/// <summary>
/// <c>dotnet Fleetman.PositionTracker.dll retention-sweep</c> as the course's Job runs it: the tracker's binary, settings
/// from environment variables, over a real SQLite file. Needs neither the broker nor Redis.
/// </summary>
public sealed class RetentionSweepProcessTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetman-retention-" + Guid.NewGuid().ToString("N")[..8]);

    public RetentionSweepProcessTests() => Directory.CreateDirectory(_folder);

    private string DatabasePath => Path.Combine(_folder, "positions.db");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_sweep_deletes_positions_older_than_KeepDays_logs_one_json_line_and_exits_0()
    {
        // Whole milliseconds, as the store keeps times, so what is read back equals what was written.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        VehiclePosition[] positions =
        [
            new("City Van", 53.38, -1.47, now.AddDays(-40), null, null),
            new("City Van", 53.39, -1.47, now.AddDays(-31), 20, 5),
            new("City Van", 53.40, -1.47, now.AddDays(-29), 21, 5),
            new("Old Bus", 53.40, -1.50, now.AddDays(-35), 0, null),
            new("Old Bus", 53.41, -1.50, now.AddHours(-1), 12, 90),
        ];
        using (var store = new SqlitePositionStore(DatabasePath))
        {
            await store.AppendAsync(positions, default);
        }

        var (exitCode, output) = await RunAsync(new() { ["Retention__KeepDays"] = "30" });

        exitCode.ShouldBe(0, output);
        output.Trim().ShouldNotContain('\n', "one line");
        using var line = JsonDocument.Parse(output);
        var log = line.RootElement;
        log.GetProperty("@l").GetString().ShouldBe("Information");
        log.GetProperty("Deleted").GetInt64().ShouldBe(3);
        log.GetProperty("KeepDays").GetInt32().ShouldBe(30);
        // The cutoff is taken when the command runs: after the seeding, within the test's own run time.
        log.GetProperty("Cutoff").GetDateTimeOffset().ShouldBeInRange(now.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-30));
        log.GetProperty("@m").GetString().ShouldStartWith("Retention sweep deleted 3 positions older than ");
        log.GetProperty("ServiceName").GetString().ShouldBe("Fleetman.PositionTracker");

        using var swept = new SqlitePositionStore(DatabasePath);
        (await swept.CountAsync(null, default)).ShouldBe(2);
        (await swept.GetHistoryAsync("City Van", null, null, 10, default)).ShouldBe([positions[2]]);
        (await swept.GetHistoryAsync("Old Bus", null, null, 10, default)).ShouldBe([positions[4]]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("a month")]
    public async Task A_bad_Retention__KeepDays_exits_2_naming_the_setting(string keepDays)
    {
        var (exitCode, output) = await RunAsync(new() { ["Retention__KeepDays"] = keepDays });

        exitCode.ShouldBe(2, output);
        output.Trim().ShouldNotContain('\n', "one line");
        using var line = JsonDocument.Parse(output);
        line.RootElement.GetProperty("@m").GetString()!.ShouldStartWith(
            "Invalid settings, the retention sweep cannot run: Retention:KeepDays (environment variable Retention__KeepDays): ");
        File.Exists(DatabasePath).ShouldBeFalse("nothing is opened with bad settings");
    }

    private async Task<(int ExitCode, string Output)> RunAsync(Dictionary<string, string> environment)
    {
        var run = await ToolRun.RunAsync(
            "dotnet",
            [ServiceProcess.BuildOutput("services/position-tracker", "Fleetman.PositionTracker"), "retention-sweep"],
            new Dictionary<string, string>(environment) { ["Store__SqlitePath"] = DatabasePath },
            _folder,
            TimeSpan.FromSeconds(60));
        run.Errors.ShouldBeEmpty();
        return (run.ExitCode, run.Output);
    }
}
