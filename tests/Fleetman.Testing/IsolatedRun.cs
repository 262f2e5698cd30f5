using Fleetman.Contracts;

namespace Fleetman.Testing;

/// <summary>
/// One isolated run of Fleetman: its own queue, topic, SQLite file, Redis key prefix and backplane channel prefix on
/// the shared broker and Redis (or on a private instance), so runs can go side by side. Starts the services as real
/// processes (api-gateway replicas included) or hosts them in the test process, publishes position reports to the
/// run's queue, and stops it all at the end. Services that wait for no other may be started side by side (each start
/// takes seconds on a shared machine).
/// </summary>
public sealed class IsolatedRun : IAsyncDisposable
{
    private readonly List<ServiceProcess> _services = [];
    private readonly List<IAsyncDisposable> _hosted = [];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetman-run-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Dictionary<string, string?> _infra;
    private BrokerConnection? _connection;

    private IsolatedRun(BrokerInstance broker, Dictionary<string, string?> infra)
    {
        Broker = broker;
        _infra = infra;
        Directory.CreateDirectory(_folder);
    }

    /// <summary>The broker and Redis this run uses: the shared instance unless the run was started on another one.</summary>
    public BrokerInstance Broker { get; }

    public string Id { get; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>The run's queue of position reports (<c>PositionReported</c> in the messaging topology).</summary>
    public string Queue => $"test.positions.{Id}";

    /// <summary>The run's topic of stored positions (<c>VehiclePositionsUpdated</c> in the messaging topology).</summary>
    public string Topic => $"test.vehicle-updates.{Id}";

    /// <summary>The run's queue of retirements (<c>VehiclesRetired</c> in the messaging topology).</summary>
    public string RetirementQueue => $"test.retirements.{Id}";

    /// <summary>The run's topic of removals (<c>VehiclesRemoved</c> in the messaging topology).</summary>
    public string RemovalTopic => $"test.vehicle-removals.{Id}";

    /// <summary>The run's topic of fleet events (<c>FleetEventsOccurred</c> in the messaging topology).</summary>
    public string EventTopic => $"test.fleet-events.{Id}";

    public string RedisPrefix => $"test:{Id}";

    public string BackplanePrefix => $"test:{Id}:hubs:";

    public string RedisConnectionString => _infra["ConnectionStrings__Redis"]!;

    public string DatabasePath => Path.Combine(_folder, "positions.db");

    public static Task<IsolatedRun> StartAsync() => StartAsync(BrokerInstance.Shared());

    /// <summary>A run on <paramref name="broker"/> (e.g. a private instance a test may kill); starts its broker and Redis if needed.</summary>
    public static async Task<IsolatedRun> StartAsync(BrokerInstance broker) =>
        new(broker, await (broker ?? throw new ArgumentNullException(nameof(broker))).ServiceEnvironmentAsync());

    public Dictionary<string, string?> Environment(IDictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>(_infra)
        {
            ["LatestPositions__KeyPrefix"] = RedisPrefix,
            ["Store__Provider"] = "Sqlite",
            ["Store__SqlitePath"] = DatabasePath,
            ["Messaging__Destinations__PositionReported"] = Queue,
            ["Messaging__Destinations__VehiclePositionsUpdated"] = Topic,
            ["Messaging__Destinations__VehiclesRetired"] = RetirementQueue,
            ["Messaging__Destinations__VehiclesRemoved"] = RemovalTopic,
            ["Messaging__Destinations__FleetEventsOccurred"] = EventTopic,
            ["Hub__BackplaneChannelPrefix"] = BackplanePrefix,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return environment;
    }

    public Task<ServiceProcess> StartTrackerAsync(IDictionary<string, string?>? extra = null) =>
        StartAsync("position-tracker", "Fleetman.PositionTracker", extra);

    public Task<ServiceProcess> StartSimulatorAsync(IDictionary<string, string?>? extra = null) =>
        StartAsync("position-simulator", "Fleetman.PositionSimulator", extra);

    public Task<ServiceProcess> StartConsumerAsync(IReadOnlyDictionary<string, string?>? extra = null) =>
        StartAsync("queue-consumer", "Fleetman.QueueConsumer", extra?.ToDictionary());

    /// <summary>The api-gateway in front of <paramref name="tracker"/>: its build output, or the <paramref name="launcher"/> of a publish of it.</summary>
    public async Task<ServiceProcess> StartGatewayAsync(ServiceProcess tracker, IDictionary<string, string?>? extra = null, string? launcher = null)
    {
        var settings = new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>())
        {
            ["Tracker__BaseAddress"] = tracker.Http.BaseAddress!.ToString(),
        };
        if (launcher is null)
        {
            return await StartAsync("api-gateway", "Fleetman.ApiGateway", settings);
        }

        return Keep(await ServiceProcess.StartLauncherAsync("api-gateway", launcher, Environment(settings)));
    }

    /// <summary>The edge gateway in front of this run's api-gateway and simulator, serving the built webapp.</summary>
    public async Task<ServiceProcess> StartEdgeAsync(
        ServiceProcess apiGateway, ServiceProcess simulator, string adminPassword, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>())
        {
            ["ReverseProxy__Clusters__api-gateway__Destinations__d1__Address"] = apiGateway.Http.BaseAddress!.ToString(),
            ["ReverseProxy__Clusters__position-simulator__Destinations__d1__Address"] = simulator.Http.BaseAddress!.ToString(),
            ["Webapp__Root"] = Path.Combine(Repository.Root, "webapp", "dist"),
            ["Gateway__AdminPassword"] = adminPassword,
        };
        var environment = Environment(settings);
        return Keep(await ServiceProcess.StartProjectAsync("gateway", "Fleetman.Gateway", environment));
    }

    private async Task<ServiceProcess> StartAsync(string folder, string assembly, IDictionary<string, string?>? extra)
    {
        return Keep(await ServiceProcess.StartAsync(folder, assembly, Environment(extra)));
    }

    /// <summary>Keeps <paramref name="service"/> to stop with the run; locked, as services may be started side by side.</summary>
    private ServiceProcess Keep(ServiceProcess service)
    {
        lock (_services)
        {
            _services.Add(service);
        }

        return service;
    }

    /// <summary>
    /// Hosts the service whose assembly holds <typeparamref name="TMarker"/> in the test process, with this run's
    /// settings and <paramref name="extra"/>; it is stopped with the run.
    /// </summary>
    public async Task<InProcessService<TMarker>> HostAsync<TMarker>(IDictionary<string, string?>? extra = null)
        where TMarker : class
    {
        var service = await InProcessService.StartAsync<TMarker>(Environment(extra));
        _hosted.Add(service);
        return service;
    }

    /// <summary>Publishes a retirement to the run's retirement queue, as the simulator does.</summary>
    public async Task PublishAsync(VehiclesRetired retirement)
    {
        _connection ??= await Broker.ConnectAsync();
        await _connection.PublishAsync(RetirementQueue, retirement);
    }

    /// <summary>Publishes the reports to the run's queue, in order, and waits until the broker has them all.</summary>
    public async Task PublishAsync(IEnumerable<PositionReported> reports)
    {
        _connection ??= await Broker.ConnectAsync();
        await _connection.PublishAllAsync(Queue, reports);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in Enumerable.Reverse(_services))
        {
            await service.DisposeAsync();
        }

        foreach (var service in Enumerable.Reverse(_hosted))
        {
            await service.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
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
