using Fleetman.PositionStore.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Fleetman.PositionStore.Tests.Integration;

/// <summary>
/// <c>retention-sweep</c> run in-process through its entry, as the tracker's Program runs it, with a fixed clock, settings
/// as command-line arguments and its log lines captured (the tracker's tests run it as a process).
/// </summary>
public sealed class RetentionSweepCommandTests : IDisposable
{
    // Half a second past noon: the cutoff keeps the clock's milliseconds.
    private static readonly DateTimeOffset Now = new(2026, 3, 31, 12, 0, 0, 500, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();
    private readonly StringWriter _log = new();

    private string DatabasePath => _directory.File("positions.db");

    public void Dispose()
    {
        _log.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Deletes_the_history_older_than_KeepDays_and_logs_one_line_with_the_count_and_the_cutoff()
    {
        var cutoff = Now.AddDays(-7);
        VehiclePosition[] old = [Position("truck", Now.AddDays(-10)), Position("truck", cutoff.AddMilliseconds(-1)), Position("van", Now.AddDays(-8))];
        VehiclePosition[] kept = [Position("truck", cutoff), Position("truck", Now.AddDays(-1)), Position("bus", Now.AddHours(-1))];
        await SeedAsync([.. old, .. kept]);

        var exitCode = await RunAsync("--Retention:KeepDays=7");

        exitCode.ShouldBe(RetentionSweepCommand.Swept, _log.ToString());
        var line = LogLines().ShouldHaveSingleItem();
        line.GetProperty("@l").GetString().ShouldBe("Information");
        line.GetProperty("Deleted").GetInt64().ShouldBe(3);
        line.GetProperty("Cutoff").GetDateTimeOffset().ShouldBe(cutoff);
        line.GetProperty("KeepDays").GetInt32().ShouldBe(7);
        line.GetProperty("@m").GetString().ShouldStartWith(
            $"Retention sweep deleted 3 positions older than 2026-03-24T12:00:00.5000000+00:00 (Retention:KeepDays 7) from SQLite {DatabasePath} in ");

        using var store = new SqlitePositionStore(DatabasePath);
        (await store.GetHistoryAsync("truck", null, null, 10, default)).ShouldBe([kept[0], kept[1]]);
        (await store.CountAsync(null, default)).ShouldBe(3);
        // Each vehicle's latest position is not history: the van's stays though all its history went.
        (await store.GetLatestAsync(["van"], default)).Keys.ShouldBe(["van"]);
    }

    [Fact]
    public async Task KeepDays_is_30_by_default()
    {
        await SeedAsync([Position("truck", Now.AddDays(-30).AddSeconds(-1)), Position("truck", Now.AddDays(-29))]);

        (await RunAsync()).ShouldBe(RetentionSweepCommand.Swept, _log.ToString());

        var line = LogLines().ShouldHaveSingleItem();
        line.GetProperty("Deleted").GetInt64().ShouldBe(1);
        line.GetProperty("Cutoff").GetDateTimeOffset().ShouldBe(Now.AddDays(-30));
    }

    [Theory]
    [InlineData("0", "The field KeepDays must be between 1 and 36500.")]
    [InlineData("-3", "The field KeepDays must be between 1 and 36500.")]
    [InlineData("36501", "The field KeepDays must be between 1 and 36500.")]
    [InlineData("thirty", "'thirty' is not a valid Int32.")]
    public async Task A_bad_KeepDays_fails_before_touching_the_store_naming_the_setting(string keepDays, string problem)
    {
        var exitCode = await RunAsync($"--Retention:KeepDays={keepDays}");

        exitCode.ShouldBe(RetentionSweepCommand.InvalidSettings);
        var line = LogLines().ShouldHaveSingleItem();
        line.GetProperty("@l").GetString().ShouldBe("Fatal");
        line.GetProperty("@m").GetString().ShouldBe(
            $"Invalid settings, the retention sweep cannot run: Retention:KeepDays (environment variable Retention__KeepDays): {problem}");
        File.Exists(DatabasePath).ShouldBeFalse();
    }

    [Fact]
    public async Task Bad_store_and_retention_settings_are_named_on_one_line()
    {
        var exitCode = await RunAsync("--Store:Provider=MongoDb", "--Retention:KeepDays=0");

        exitCode.ShouldBe(RetentionSweepCommand.InvalidSettings);
        var message = LogLines().ShouldHaveSingleItem().GetProperty("@m").GetString()!;
        message.ShouldContain("Store:MongoConnectionString (environment variable Store__MongoConnectionString): A connection string is required");
        message.ShouldContain("Retention:KeepDays (environment variable Retention__KeepDays)");
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_fails_with_exit_code_1_and_says_why()
    {
        await File.WriteAllTextAsync(DatabasePath, "not a database, just text that is long enough to have a header");

        var exitCode = await RunAsync();

        exitCode.ShouldBe(RetentionSweepCommand.Failed);
        var line = LogLines().ShouldHaveSingleItem();
        line.GetProperty("@l").GetString().ShouldBe("Error");
        line.GetProperty("@m").GetString().ShouldBe($"Retention sweep failed: SQLite {DatabasePath}: SQLite Error 26: 'file is not a database'.");
    }

    [Fact]
    public async Task An_unreachable_MongoDB_server_fails_with_exit_code_1_and_says_why()
    {
        // Nothing listens on port 1; the connection string's own timeout keeps the test short.
        var exitCode = await RunAsync("--Store:Provider=MongoDb", "--Store:MongoConnectionString=mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300");

        exitCode.ShouldBe(RetentionSweepCommand.Failed);
        var message = LogLines().ShouldHaveSingleItem().GetProperty("@m").GetString()!;
        message.ShouldMatch(@"^Retention sweep failed: MongoDB database fleetman at 127\.0\.0\.1:1: unreachable: A timeout occurred after \d+ms selecting a server$");
    }

    private static VehiclePosition Position(string vehicle, DateTimeOffset time) => new(vehicle, 53.38, -1.47, time, 12.5, 90);

    private async Task SeedAsync(VehiclePosition[] positions)
    {
        using var store = new SqlitePositionStore(DatabasePath);
        await store.InitializeAsync(default);
        await store.AppendAsync(positions, default);
    }

    private Task<int> RunAsync(params string[] settings) =>
        RetentionSweepCommand.RunAsync(["retention-sweep", $"--Store:SqlitePath={DatabasePath}", .. settings], new FakeTimeProvider(Now), _log);

    private List<JsonElement> LogLines() =>
        [.. _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];
}
