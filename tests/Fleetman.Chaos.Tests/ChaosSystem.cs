using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fleetman.Testing;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Fleetman.Chaos.Tests;

/// <summary>What the simulator's <c>GET /simulator/status</c> says (the fields these tests use).</summary>
public sealed record SimulatorStatus(bool Running, long Published, long Failed, long Dropped, int InFlight, DateTimeOffset? SimulatedTime);

/// <summary>How long the system may take to serve fresh positions again: counted from the fault, and counted from the moment the fault was over.</summary>
/// <param name="Total">from the SIGKILL: what a user sees, including how long the killed component took to start again</param>
/// <param name="AfterOutage">from the moment the killed component was back (started and ready): what the other services' reconnecting costs</param>
public sealed record RecoveryBound(TimeSpan Total, TimeSpan AfterOutage);

/// <summary>How long after a fault (its SIGKILL) each part of the system served fresh data again.</summary>
/// <param name="Outage">until the killed component was back: started again and, for a service, ready</param>
/// <param name="Api">until <c>GET /api/vehicles/</c> on the api-gateway answered 200 with every vehicle and a report newer than the fault</param>
/// <param name="Hub">until the SignalR client connected before the fault (reconnecting if it had to) received such a report</param>
/// <param name="NewHubClient">until a client first connecting after the fault received such a report</param>
/// <param name="Ready">until every service answered <c>/healthz/ready</c> with 200 again, once the fault was over</param>
public sealed record Recovery(TimeSpan Outage, TimeSpan Api, TimeSpan Hub, TimeSpan NewHubClient, TimeSpan Ready)
{
    public TimeSpan Slowest => new[] { Api, Hub, NewHubClient, Ready }.Max();

    /// <summary>The slowest figure counted from the end of the outage (zero if everything was served during it).</summary>
    public TimeSpan SlowestAfterOutage => Slowest == TimeSpan.MaxValue ? TimeSpan.MaxValue : new[] { Slowest - Outage, TimeSpan.Zero }.Max();

    public override string ToString() =>
        $"outage {Seconds(Outage)}; from the fault: API {Seconds(Api)}, hub {Seconds(Hub)}, new hub client {Seconds(NewHubClient)}, "
        + $"all ready {Seconds(Ready)}; slowest after the outage {Seconds(SlowestAfterOutage)}";

    /// <summary>"1.2 s", or "never" for <see cref="TimeSpan.MaxValue"/> (not within the patience).</summary>
    public static string Seconds(TimeSpan figure) => figure == TimeSpan.MaxValue ? "never" : $"{figure.TotalSeconds:F1} s";
}

/// <summary>
/// A whole Fleetman on its own broker and Redis (scripts/infra.sh, private state and ports) with a SQLite store in a
/// temporary folder: position-simulator (100 vehicles, a report each every 500 ms: 200 reports/s) publishing through a
/// <see cref="ReceiptTap"/>, two queue-consumers, position-tracker and api-gateway, as real processes, plus a SignalR
/// client on the hub. Each test starts one, injects one fault while the simulator runs, measures the recovery, then
/// stops the simulator, lets the consumers drain the queue and checks the store against what the broker confirmed.
/// </summary>
public sealed class ChaosSystem : IAsyncDisposable
{
    public const int Vehicles = 100;
    public const int ReportIntervalMilliseconds = 500;
    public const int ReportsPerSecond = Vehicles * 1000 / ReportIntervalMilliseconds;

    private static readonly TimeSpan StartupPatience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DrainPatience = TimeSpan.FromSeconds(90);

    private readonly List<ServiceProcess> _services = [];
    private readonly ITestOutputHelper _output;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    private ChaosSystem(BrokerInstance broker, ITestOutputHelper output)
    {
        Broker = broker;
        _output = output;
    }

    public BrokerInstance Broker { get; }

    public IsolatedRun Run { get; private set; } = null!;

    public ReceiptTap Tap { get; private set; } = null!;

    public ServiceProcess Simulator { get; private set; } = null!;

    public ServiceProcess Tracker { get; private set; } = null!;

    public ServiceProcess FirstConsumer { get; private set; } = null!;

    public ServiceProcess SecondConsumer { get; private set; } = null!;

    public ServiceProcess ApiGateway { get; private set; } = null!;

    /// <summary>The browser stand-in connected before the fault.</summary>
    public LiveClient Hub { get; private set; } = null!;

    public IReadOnlyList<ServiceProcess> Services => _services;

    public static async Task<ChaosSystem> StartAsync(ITestOutputHelper output)
    {
        var system = new ChaosSystem(BrokerInstance.Private(), output);
        try
        {
            await system.StartServicesAsync();
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    private async Task StartServicesAsync()
    {
        Run = await IsolatedRun.StartAsync(Broker); // starts this instance's broker and Redis
        var stompPort = int.Parse((await Broker.EnvironmentAsync())["Broker__Port"], CultureInfo.InvariantCulture);
        Tap = new ReceiptTap(stompPort);
        Log($"broker and Redis up (state {Broker.StateDirectory})");

        // Started side by side: on two cores that saves a few seconds per test.
        var tracker = StartAsync("position-tracker", "Fleetman.PositionTracker");
        var first = StartAsync("queue-consumer", "Fleetman.QueueConsumer");
        var second = StartAsync("queue-consumer", "Fleetman.QueueConsumer");
        Tracker = await tracker;
        var gateway = StartAsync("api-gateway", "Fleetman.ApiGateway", new() { ["Tracker__BaseAddress"] = Tracker.Http.BaseAddress!.ToString() });
        var simulator = StartAsync("position-simulator", "Fleetman.PositionSimulator", new()
        {
            ["Broker__Port"] = Tap.Port.ToString(CultureInfo.InvariantCulture),
            ["Simulator__Vehicles"] = Vehicles.ToString(CultureInfo.InvariantCulture),
            ["Simulator__ReportIntervalMilliseconds"] = ReportIntervalMilliseconds.ToString(CultureInfo.InvariantCulture),
            ["Admin__Password"] = SimulatorAdminPassword,
        });
        FirstConsumer = await first;
        SecondConsumer = await second;
        ApiGateway = await gateway;
        Simulator = await simulator;
        Log("services ready");

        Hub = new LiveClient(ApiGateway.Http.BaseAddress!);
        using (var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await Hub.StartAsync(connecting.Token);
        }

        // Steady state: reports flowing end to end, to the API and to the hub, and every service ready.
        var since = (await SimulatorStatusAsync()).SimulatedTime!.Value;
        var steady = Stopwatch.StartNew();
        await Eventually.Until(() => Hub.FirstFrameWithReportAfter(since) is not null && IsFresh(since).GetAwaiter().GetResult(), StartupPatience,
            () => $"no fresh positions after {steady.Elapsed.TotalSeconds:F0} s: hub frames {Hub.Frames}, confirmed {Tap.ConfirmedCount}; consumer log:\n{FirstConsumer.Tail(10)}");
        await Eventually.Until(() => Tap.ConfirmedCount >= 2 * ReportsPerSecond, StartupPatience, () => $"{Tap.ConfirmedCount} reports confirmed");
        Log($"steady: {Tap.ConfirmedCount} reports confirmed, {Hub.Frames} hub frames");
    }

    private async Task<ServiceProcess> StartAsync(string folder, string assembly, Dictionary<string, string?>? extra = null)
    {
        var service = await ServiceProcess.StartAsync(folder, assembly, Run.Environment(extra), StartupPatience);
        lock (_services)
        {
            _services.Add(service);
        }

        return service;
    }

    public void Log(string message) => _output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F1} s] {message}");

    public async Task<SimulatorStatus> SimulatorStatusAsync() => await Simulator.GetJsonAsync<SimulatorStatus>("/simulator/status");

    /// <summary>
    /// Injects a fault: <paramref name="strike"/> breaks something (a SIGKILL), <paramref name="heal"/> does what
    /// Kubernetes would do about it (start the process again). <see cref="Recovery"/> is measured from the start of the
    /// strike. "Fresh" means a report stamped later than the simulator's clock once the strike is done, so nothing that
    /// was already on its way before the fault counts. Each figure is waited for up to twice the total bound, so a slow
    /// recovery is still measured and reported. With <paramref name="servedDuringOutage"/> the heal waits
    /// until the API and the hub have served fresh positions (or the patience ran out): for a dependency the system is
    /// meant to ride out, those two figures are measured while it is still down.
    /// </summary>
    public async Task<Recovery> InjectAsync(string what, Func<Task> strike, Func<Task> heal, RecoveryBound bound, bool servedDuringOutage = false)
    {
        Log($"fault: {what} ({Tap.ConfirmedCount} reports confirmed so far)");
        var start = Stopwatch.GetTimestamp();
        await strike();
        var after = (await SimulatorStatusAsync()).SimulatedTime!.Value;
        Log($"struck in {Stopwatch.GetElapsedTime(start).TotalSeconds:F2} s");
        ArgumentNullException.ThrowIfNull(bound);
        using var patience = new CancellationTokenSource(2 * bound.Total);
        var api = MeasureAsync(() => UntilFreshAsync(after, patience.Token), start);
        var hub = MeasureAsync(() => UntilHubFrameAsync(Hub, after, patience.Token), start);
        var newHub = MeasureAsync(() => NewClientFrameAsync(after, patience.Token), start);
        if (servedDuringOutage)
        {
            await Task.WhenAll(api, hub);
            Log($"during the outage: fresh positions from the API after {Recovery.Seconds(await api)}, on the hub after {Recovery.Seconds(await hub)}");
        }

        await heal();
        var outage = Stopwatch.GetElapsedTime(start);
        Log($"fault over after {outage.TotalSeconds:F1} s");
        var ready = MeasureAsync(() => UntilAllReadyAsync(start, patience.Token), start);

        var recovery = new Recovery(outage, await api, await hub, await newHub, await ready);
        Log($"recovered: {recovery}");
        return recovery;
    }

    private static async Task<TimeSpan> MeasureAsync(Func<Task<long>> until, long start)
    {
        try
        {
            return Stopwatch.GetElapsedTime(start, await until());
        }
        catch (OperationCanceledException)
        {
            return TimeSpan.MaxValue; // not within the patience
        }
    }

    private async Task<long> UntilFreshAsync(DateTimeOffset after, CancellationToken token)
    {
        while (!await IsFresh(after))
        {
            await Task.Delay(100, token);
        }

        return Stopwatch.GetTimestamp();
    }

    /// <summary>The api-gateway lists every vehicle and at least one report is later than <paramref name="after"/>.</summary>
    private async Task<bool> IsFresh(DateTimeOffset after)
    {
        try
        {
            using var response = await _probe.GetAsync(new Uri(ApiGateway.Http.BaseAddress!, "api/vehicles/"));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            var vehicles = (await response.Content.ReadFromJsonAsync<JsonElement[]>())!;
            return vehicles.Length == Vehicles && vehicles.Max(v => v.GetProperty("timestamp").GetDateTimeOffset()) > after;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return false;
        }
    }

    private static async Task<long> UntilHubFrameAsync(LiveClient client, DateTimeOffset after, CancellationToken token)
    {
        long? arrived;
        while ((arrived = client.FirstFrameWithReportAfter(after)) is null)
        {
            await Task.Delay(25, token);
        }

        return arrived.Value;
    }

    /// <summary>A browser opening the map after the fault: connect (again every 500 ms until it works), then wait for a fresh frame.</summary>
    private async Task<long> NewClientFrameAsync(DateTimeOffset after, CancellationToken token)
    {
        while (true)
        {
            await using var client = new LiveClient(ApiGateway.Http.BaseAddress!, reconnect: false);
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                await client.StartAsync(attempt.Token);
                while (client.State == Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected)
                {
                    if (client.FirstFrameWithReportAfter(after) is { } arrived)
                    {
                        return arrived;
                    }

                    await Task.Delay(25, token);
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or System.Net.WebSockets.WebSocketException
                                          or InvalidOperationException || (e is OperationCanceledException && !token.IsCancellationRequested))
            {
                // the gateway is not there (yet), or refused the connection: a browser would try again
            }

            await Task.Delay(LiveClient.RetryInterval, token);
        }
    }

    /// <summary>Fails unless the API and the hub both serve a report newer than the simulator's clock now within <paramref name="within"/>.</summary>
    public async Task StillLiveAsync(TimeSpan within)
    {
        var now = (await SimulatorStatusAsync()).SimulatedTime!.Value;
        var start = Stopwatch.GetTimestamp();
        using var patience = new CancellationTokenSource(within);
        var api = await MeasureAsync(() => UntilFreshAsync(now, patience.Token), start);
        var hub = await MeasureAsync(() => UntilHubFrameAsync(Hub, now, patience.Token), start);
        Log($"still live: fresh positions from the API after {Recovery.Seconds(api)}, on the hub after {Recovery.Seconds(hub)}");
        api.ShouldBeLessThanOrEqualTo(within, "the API serves fresh positions");
        hub.ShouldBeLessThanOrEqualTo(within, "the hub pushes fresh positions");
    }

    /// <summary>Waits until <paramref name="service"/> reports itself not ready: the fault has been noticed.</summary>
    public async Task UntilNotReadyAsync(ServiceProcess service)
    {
        var start = Stopwatch.GetTimestamp();
        await Eventually.Until(() => !IsReady(service).GetAwaiter().GetResult(), TimeSpan.FromSeconds(30),
            () => $"{service.Name} still reports itself ready");
        Log($"{service.Name} not ready after {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s");
    }

    private async Task<bool> IsReady(ServiceProcess service, CancellationToken token = default)
    {
        try
        {
            using var response = await _probe.GetAsync(new Uri(service.Http.BaseAddress!, "healthz/ready"), token);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !token.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>Polls every service's readiness until all answer 200; logs when each one first did.</summary>
    private async Task<long> UntilAllReadyAsync(long start, CancellationToken token)
    {
        var readySince = new Dictionary<ServiceProcess, TimeSpan>();
        while (true)
        {
            var answers = await Task.WhenAll(_services.Select(async service => (service, Ready: await IsReady(service, token))));
            foreach (var (service, ready) in answers)
            {
                if (ready)
                {
                    readySince.TryAdd(service, Stopwatch.GetElapsedTime(start));
                }
                else
                {
                    readySince.Remove(service);
                }
            }

            if (readySince.Count == _services.Count)
            {
                Log("ready again after: " + string.Join(", ", readySince.Select(r => $"{r.Key.Name}:{r.Key.Port} {r.Value.TotalSeconds:F1} s")));
                return Stopwatch.GetTimestamp();
            }

            await Task.Delay(100, token);
        }
    }

    /// <summary>Lets the simulator run until another <paramref name="seconds"/> seconds' worth of reports were confirmed.</summary>
    public async Task KeepRunningAsync(int seconds)
    {
        var target = Tap.ConfirmedCount + (seconds * ReportsPerSecond);
        await Eventually.Until(() => Tap.ConfirmedCount >= target, TimeSpan.FromSeconds(30 + seconds),
            () => $"{Tap.ConfirmedCount} of {target} reports confirmed");
    }

    private const string SimulatorAdminPassword = "chaos admin password";

    // The simulator's control routes check the admin's credentials.
    private static HttpRequestMessage WithAdmin(HttpRequestMessage request)
    {
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"admin:{SimulatorAdminPassword}")));
        return request;
    }

    /// <summary>
    /// Stops the simulator (<c>POST /simulator/stop</c>), waits until none of its sends is still waiting for the broker
    /// (each one confirmed or failed), then until the consumers have stored every report the broker confirmed.
    /// Returns the simulator's final counts and the store's (vehicle, time) rows, one entry per row.
    /// </summary>
    public async Task<(SimulatorStatus Simulator, List<ReportKey> Stored)> StopAndDrainAsync()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/simulator/stop"))
        using (var stop = await Simulator.Http.SendAsync(WithAdmin(request)))
        {
            stop.EnsureSuccessStatusCode();
        }

        SimulatorStatus status = null!;
        await Eventually.Until(() => (status = SimulatorStatusAsync().GetAwaiter().GetResult()).InFlight == 0, DrainPatience,
            () => $"{status.InFlight} reports still waiting for the broker");
        var confirmed = Tap.Confirmed.ToHashSet();
        List<ReportKey> stored = [];
        await Eventually.Until(() =>
        {
            stored = ReadStore();
            return confirmed.IsSubsetOf(stored);
        }, DrainPatience, () => $"{confirmed.Except(stored).Count()} of {confirmed.Count} confirmed reports not stored yet");
        Log($"drained: simulator published {status.Published}, failed {status.Failed}, dropped {status.Dropped}; "
            + $"tap saw {Tap.Sent.Count} reports sent and {confirmed.Count} confirmed over {Tap.Connections} connections; store has {stored.Count} rows");
        return (status, stored);
    }

    /// <summary>Every (vehicle, time) row of the positions table, read straight from the SQLite file.</summary>
    public List<ReportKey> ReadStore()
    {
        var rows = new List<ReportKey>();
        if (!File.Exists(Run.DatabasePath))
        {
            return rows;
        }

        var connectionString = new SqliteConnectionStringBuilder { DataSource = Run.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT vehicle, time FROM positions";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new ReportKey(reader.GetString(0), reader.GetInt64(1)));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (Hub is not null)
        {
            await Hub.DisposeAsync();
        }

        foreach (var service in Enumerable.Reverse(_services))
        {
            await service.DisposeAsync();
        }

        if (Tap is not null)
        {
            await Tap.DisposeAsync();
        }

        if (Run is not null)
        {
            await Run.DisposeAsync();
        }

        await Broker.DisposeAsync();
        _probe.Dispose();
    }
}
