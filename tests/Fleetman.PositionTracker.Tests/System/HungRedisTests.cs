namespace Fleetman.PositionTracker.Tests.System;

/// <summary>
/// Redis accepts the tracker's connection and never answers, and the tracker has two pool threads: its liveness must
/// answer whatever Redis does, and its readiness say "not ready" instead of waiting for the connection.
/// </summary>
public sealed class HungRedisTests
{
    [Fact]
    public async Task With_a_Redis_that_never_answers_and_a_small_thread_pool_the_tracker_stays_live_while_its_readiness_is_asked_and_says_it_is_connecting()
    {
        await using var redis = new SilentServer();
        var folder = Directory.CreateTempSubdirectory("fleetman-tracker-").FullName;
        try
        {
            // A connect timeout far beyond the test's bound: a connection made on a request's thread holds it that long.
            var environment = new Dictionary<string, string?>(ServiceProcess.SmallThreadPool)
            {
                ["ConnectionStrings__Redis"] = $"127.0.0.1:{redis.Port},connectTimeout=120000",
                ["Store__SqlitePath"] = Path.Combine(folder, "positions.db"),
            };
            await using var tracker = await ServiceProcess.StartAsync("position-tracker", "Fleetman.PositionTracker", environment, readinessPath: "/healthz/live");

            var readiness = await tracker.LiveWhileReadinessIsAskedAsync(TimeSpan.FromSeconds(30));

            readiness.ShouldNotBeEmpty("no readiness answer came within the bound");
            readiness.ShouldAllBe(answer => answer.Status == HttpStatusCode.ServiceUnavailable && answer.Body.Contains("Connecting to Redis"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
