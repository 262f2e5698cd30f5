namespace Fleetman.ApiGateway.Tests.Integration;

/// <summary>
/// The api-gateway alone on the real broker and Redis, hosted in-process, for tests that hand it updates themselves
/// (no tracker or queue-consumer is needed), pushing at the shortest interval allowed so that many pushes fall among
/// what a test does.
/// </summary>
public sealed class LoneGateway : IAsyncLifetime
{
    public IsolatedRun Run { get; private set; } = null!;

    public InProcessService<TrackerClientOptions> Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Run = await IsolatedRun.StartAsync();
        Gateway = await Run.HostAsync<TrackerClientOptions>(new Dictionary<string, string?>
        {
            ["Tracker__BaseAddress"] = $"http://127.0.0.1:{BrokerInstance.FreePort()}/",
            ["Hub__PushIntervalMilliseconds"] = "10",
        });
    }

    public async Task DisposeAsync() => await Run.DisposeAsync();
}
