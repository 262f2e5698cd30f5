namespace Fleetman.ApiGateway.Tests.System;

/// <summary>
/// Redis accepts the api-gateway's connections and never answers, and the gateway has two pool threads: it must start
/// listening and answer its liveness whatever Redis does, and its readiness say "not ready" instead of waiting.
/// </summary>
public sealed class HungRedisTests
{
    [Fact]
    public async Task With_a_Redis_that_never_answers_and_a_small_thread_pool_the_gateway_starts_stays_live_while_its_readiness_is_asked_and_says_it_is_connecting()
    {
        await using var redis = new SilentServer();
        var environment = await BrokerInstance.Shared().ServiceEnvironmentAsync();
        foreach (var (key, value) in ServiceProcess.SmallThreadPool)
        {
            environment[key] = value;
        }

        // A connect timeout far beyond the test's bounds: a connection made while the host starts, or on a request's
        // thread, holds it that long.
        environment["ConnectionStrings__Redis"] = $"127.0.0.1:{redis.Port},connectTimeout=120000";
        environment["Tracker__BaseAddress"] = "http://127.0.0.1:1";
        await using var gateway = await ServiceProcess.StartAsync("api-gateway", "Fleetman.ApiGateway", environment, TimeSpan.FromSeconds(60), "/healthz/live");

        var readiness = await gateway.LiveWhileReadinessIsAskedAsync(TimeSpan.FromSeconds(30));

        readiness.ShouldNotBeEmpty("no readiness answer came within the bound");
        readiness.ShouldAllBe(answer => answer.Status == HttpStatusCode.ServiceUnavailable && answer.Body.Contains("Connecting to Redis"));
    }
}
