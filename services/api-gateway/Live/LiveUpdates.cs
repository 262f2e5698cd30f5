using System.Collections.Concurrent;
using Fleetman.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Fleetman.ApiGateway.Live;

/// <summary>
/// This replica's hub connections and the updates they are owed.
/// <para>
/// How replicas share the work: each replica subscribes to the vehicle-updates topic itself, and a topic gives every
/// subscriber its own copy, so every replica receives every update and pushes it to its own connections only. A
/// browser is connected to one replica, so it gets each update exactly once, and adding replicas adds push capacity
/// without any coordination. Live positions therefore never travel through the Redis backplane (that would send each
/// update to Redis and back once per replica); the backplane is there so that hub sends addressed to all connections,
/// a group or a user through <c>IHubContext</c> reach connections on every replica.
/// </para>
/// </summary>
public sealed class LiveUpdates(
    IHubContext<VehicleHub> hub, IOptions<VehicleHubOptions> options, GatewayMetrics metrics, TimeProvider clock, ILogger<LiveConnection> logger)
    : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, LiveConnection> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _newest = new(StringComparer.Ordinal);
    private readonly Lock _newestLock = new();

    public int Count => _connections.Count;

    /// <summary>A new connection; it buffers updates from now on and pushes them once <see cref="LiveConnection.Start"/> is called.</summary>
    public LiveConnection Connect(string connectionId)
    {
        var connection = new LiveConnection(connectionId, hub, options.Value, metrics, clock, logger);
        _connections[connectionId] = connection;
        metrics.ConnectionOpened();
        return connection;
    }

    public LiveConnection? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);

    public async Task DisconnectAsync(string connectionId)
    {
        if (_connections.TryRemove(connectionId, out var connection))
        {
            metrics.ConnectionClosed();
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Hands an update to every connection of this replica. A position not newer than one this replica already passed
    /// on for the vehicle (a duplicate, or one that arrived out of order) is left out: no browser sees a vehicle move back.
    /// </summary>
    public void Dispatch(VehiclePositionsUpdated update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var fresh = new List<LivePosition>(update.Positions.Count);
        lock (_newestLock)
        {
            foreach (var position in update.Positions.OrderBy(p => p.Time))
            {
                var live = LivePosition.From(position);
                if (!_newest.TryGetValue(live.Name, out var newest) || live.Time > newest)
                {
                    _newest[live.Name] = live.Time;
                    fresh.Add(live);
                }
            }
        }

        if (fresh.Count == 0)
        {
            return;
        }

        foreach (var connection in _connections.Values)
        {
            connection.Offer(fresh, update.StoredAt);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _connections.Keys)
        {
            await DisconnectAsync(id);
        }
    }
}
