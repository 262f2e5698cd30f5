namespace Fleetman.Pipeline.Tests.System;

/// <summary>
/// The other two services that connect to the broker, with its name unresolvable or its port silent and two pool
/// threads (as the simulator's own test, tests/Fleetman.PositionSimulator.Tests/System/UnreachableBrokerTests.cs):
/// each must stay live while its readiness is asked, and its readiness say which broker it cannot reach.
/// </summary>
public sealed class UnreachableBrokerTests
{
    [Theory]
    [InlineData("queue-consumer", "Fleetman.QueueConsumer", UnreachableBrokerKind.UnresolvableName)]
    [InlineData("queue-consumer", "Fleetman.QueueConsumer", UnreachableBrokerKind.SilentPort)]
    [InlineData("api-gateway", "Fleetman.ApiGateway", UnreachableBrokerKind.UnresolvableName)]
    [InlineData("api-gateway", "Fleetman.ApiGateway", UnreachableBrokerKind.SilentPort)]
    public async Task With_a_broker_behind_an_unreachable_address_and_a_small_thread_pool_the_service_stays_live_and_its_readiness_names_the_broker(string folder, string assembly, UnreachableBrokerKind kind)
    {
        await using var broker = new UnreachableBroker(kind);
        var database = Path.Combine(Path.GetTempPath(), $"fleetman-unreachable-broker-{Guid.NewGuid():N}.db");
        var environment = broker.Environment(new Dictionary<string, string?>
        {
            // Redis and the tracker are not there either: only the broker's entry of the readiness is looked at.
            ["ConnectionStrings__Redis"] = "127.0.0.1:1,abortConnect=false",
            ["Store__Provider"] = "Sqlite",
            ["Store__SqlitePath"] = database,
            ["Tracker__BaseAddress"] = "http://127.0.0.1:1",
        });
        try
        {
            await using var service = await ServiceProcess.StartAsync(folder, assembly, environment, readinessPath: "/healthz/live");

            var readiness = await service.LiveWhileReadinessIsAskedAsync(TimeSpan.FromSeconds(30));

            readiness.ShouldNotBeEmpty("no readiness answer came within the bound");
            readiness.ShouldAllBe(answer => answer.Status == HttpStatusCode.ServiceUnavailable && answer.Body.Contains(broker.NotConnected));
        }
        finally
        {
            File.Delete(database);
        }
    }
}
