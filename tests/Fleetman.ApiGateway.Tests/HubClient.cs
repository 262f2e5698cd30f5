using Microsoft.AspNetCore.SignalR.Client;

namespace Fleetman.ApiGateway.Tests;

/// <summary>A position as the hub sends it.</summary>
public sealed record PushedPosition(string Name, double Lat, double Lng, DateTimeOffset Time, double? Speed, double? Heading);

/// <summary>A browser stand-in: a SignalR client of <c>/hubs/vehicles</c> (WebSockets, JSON) that records everything pushed to it.</summary>
public sealed class HubClient : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly TaskCompletionSource<JsonElement> _snapshot = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<PushedPosition[]> _frames = new();
    private readonly ConcurrentQueue<string[]> _removals = new();
    private readonly ConcurrentQueue<JsonElement> _fleetEvents = new();
    private int _snapshots;

    private HubClient(Uri gateway)
    {
        _connection = new HubConnectionBuilder().WithUrl(new Uri(gateway, "hubs/vehicles")).Build();
        _connection.On<JsonElement>("snapshot", snapshot =>
        {
            Interlocked.Increment(ref _snapshots);
            _snapshot.TrySetResult(snapshot);
        });
        _connection.On<JsonElement>("positions", frame =>
        {
            if (!_snapshot.Task.IsCompleted)
            {
                FramesBeforeSnapshot++;
            }

            _frames.Enqueue(Parse(frame));
        });
        _connection.On<string[]>("vehiclesRemoved", names => _removals.Enqueue(names));
        _connection.On<JsonElement>("fleetEvents", events =>
        {
            foreach (var e in events.EnumerateArray())
            {
                _fleetEvents.Enqueue(e.Clone());
            }
        });
    }

    /// <summary>The snapshot exactly as it arrived.</summary>
    public Task<JsonElement> RawSnapshot => _snapshot.Task;

    public int Snapshots => Volatile.Read(ref _snapshots);

    public int FramesBeforeSnapshot { get; private set; }

    /// <summary>Every <c>positions</c> frame so far, in arrival order.</summary>
    public IReadOnlyList<PushedPosition[]> Frames => [.. _frames];

    /// <summary>Every <c>vehiclesRemoved</c> message so far, in arrival order.</summary>
    public IReadOnlyList<string[]> Removals => [.. _removals];

    /// <summary>Every event of every <c>fleetEvents</c> message so far, in arrival order.</summary>
    public IReadOnlyList<JsonElement> FleetEvents => [.. _fleetEvents];

    public HubConnectionState State => _connection.State;

    public static Task<HubClient> ConnectAsync(ServiceProcess gateway) => ConnectAsync(gateway.Http.BaseAddress!);

    /// <summary>Connects to the api-gateway at <paramref name="gateway"/> (a process or hosted in the test process).</summary>
    public static async Task<HubClient> ConnectAsync(Uri gateway)
    {
        var client = new HubClient(gateway);
        await client._connection.StartAsync();
        return client;
    }

    public async Task<PushedPosition[]> SnapshotAsync() => Parse(await _snapshot.Task.WaitAsync(TimeSpan.FromSeconds(30)));

    /// <summary>Every position of <paramref name="vehicle"/> pushed in frames so far, in arrival order.</summary>
    public List<PushedPosition> Received(string vehicle) => [.. _frames.SelectMany(frame => frame).Where(p => p.Name == vehicle)];

    /// <summary>Waits until the position of <paramref name="vehicle"/> at <paramref name="time"/> has been pushed.</summary>
    public Task ReceivedAsync(string vehicle, DateTimeOffset time) =>
        Eventually.Until(() => Received(vehicle).Any(p => p.Time == time), TimeSpan.FromSeconds(60),
            () => $"{vehicle} at {time:O} not pushed; last pushed: {Received(vehicle).LastOrDefault()}");

    /// <summary>Waits until <paramref name="vehicle"/> has been named in a <c>vehiclesRemoved</c> message.</summary>
    public Task RemovedAsync(string vehicle) =>
        Eventually.Until(() => Removals.Any(names => names.Contains(vehicle)), TimeSpan.FromSeconds(60), () => $"{vehicle} not removed; removals: {Removals.Count}");

    /// <summary>Waits until a fleet event of <paramref name="vehicle"/> has been pushed.</summary>
    public Task FleetEventAsync(string vehicle) =>
        Eventually.Until(() => FleetEvents.Any(e => e.GetProperty("vehicle").GetString() == vehicle), TimeSpan.FromSeconds(60),
            () => $"no fleet event of {vehicle} pushed; {FleetEvents.Count} of others");

    public Task InvokeAsync(string method, string vehicle) => _connection.InvokeAsync(method, vehicle);

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private static PushedPosition[] Parse(JsonElement positions) => positions.Deserialize<PushedPosition[]>(JsonSerializerOptions.Web)!;
}
