using Fleetman.Messaging;
using Fleetman.Testing;

namespace Fleetman.Pipeline.Tests;

/// <summary>
/// One isolated run of the pipeline: its own queue, topic, SQLite file and Redis key prefix on the shared broker and
/// Redis, so tests can run side by side. Starts the services as real processes and stops them at the end.
/// </summary>
public sealed class PipelineRun : IAsyncDisposable
{
    private readonly List<ServiceProcess> _services = [];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetman-pipeline-" + Guid.NewGuid().ToString("N")[..8]);
    private Dictionary<string, string?> _infra = [];

    public BrokerInstance Broker { get; } = BrokerInstance.Shared();

    public string Id { get; } = Guid.NewGuid().ToString("N")[..8];

    public Destination Queue => Destination.Queue($"test.positions.{Id}");

    public Destination Topic => Destination.Topic($"test.vehicle-updates.{Id}");

    public string DatabasePath => Path.Combine(_folder, "positions.db");

    public static async Task<PipelineRun> StartAsync()
    {
        var run = new PipelineRun();
        Directory.CreateDirectory(run._folder);
        run._infra = await run.Broker.ServiceEnvironmentAsync();
        return run;
    }

    public Dictionary<string, string?> Environment(IDictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>(_infra)
        {
            ["LatestPositions__KeyPrefix"] = $"test:{Id}",
            ["Store__Provider"] = "Sqlite",
            ["Store__SqlitePath"] = DatabasePath,
            ["Pipeline__PositionsQueue"] = Queue.Name,
            ["Pipeline__UpdatesTopic"] = Topic.Name,
            ["Simulator__Queue"] = Queue.Name,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return environment;
    }

    public Task<ServiceProcess> StartConsumerAsync(IDictionary<string, string?>? extra = null) =>
        StartAsync("queue-consumer", "Fleetman.QueueConsumer", extra);

    public Task<ServiceProcess> StartTrackerAsync(IDictionary<string, string?>? extra = null) =>
        StartAsync("position-tracker", "Fleetman.PositionTracker", extra);

    public Task<ServiceProcess> StartSimulatorAsync(IDictionary<string, string?>? extra = null) =>
        StartAsync("position-simulator", "Fleetman.PositionSimulator", extra);

    private async Task<ServiceProcess> StartAsync(string folder, string assembly, IDictionary<string, string?>? extra)
    {
        var service = await ServiceProcess.StartAsync(folder, assembly, Environment(extra));
        _services.Add(service);
        return service;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in Enumerable.Reverse(_services))
        {
            await service.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // a process still held a file: the temp folder is cleaned up by the OS eventually
        }
    }
}
