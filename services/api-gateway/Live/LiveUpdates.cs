using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

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
/// <para>
/// How a push costs little per connection: every <c>PushIntervalMilliseconds</c> one timer pushes every connection of
/// the replica. Connections in step (<see cref="LiveConnection"/>: following nothing, done writing their last frame)
/// need the same positions, so updates wait once, in the shared buffer, not once per connection, and the frame taken
/// from it goes to each of them as the same array, its JSON written once (<see cref="SharedFrames"/>). The others (just
/// connected, following a vehicle, or still writing when the interval came) get updates into their own buffers, and
/// their own frames, until they are in step again.
/// </para>
/// </summary>
public sealed class LiveUpdates(
    IHubContext<VehicleHub, IVehicleClient> hub, IOptions<VehicleHubOptions> options, ApiGatewayMetrics metrics, TimeProvider clock, ILogger<LiveConnection> logger, SharedFrames frames)
    : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, LiveConnection> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RecentTimes> _recent = new(StringComparer.Ordinal);
    private readonly Lock _recentLock = new(); // taken before _step where both are held, never after it

    // The one lock every connection's frames are decided under (see LiveConnection), and what the connections in step wait for.
    private readonly Lock _step = new();
    private readonly ConnectionBuffer _shared = new(options.Value.MaxBufferedVehicles, 0, options.Value.FollowBacklog);
    private readonly CancellationTokenSource _stop = new();
    private readonly FrameSendFailures _failures = new(metrics, clock, logger);
    private Task? _pushing; // the timer, from the first connection on

    public int Count => _connections.Count;

    /// <summary>A new connection; it buffers updates from now on and pushes them once <see cref="LiveConnection.Start"/> is called.</summary>
    public LiveConnection Connect(string connectionId)
    {
        var connection = new LiveConnection(connectionId, hub, options.Value, metrics, clock, logger, _failures, _step);
        lock (_step)
        {
            _connections[connectionId] = connection;
            _pushing ??= PushAsync(TimeSpan.FromMilliseconds(options.Value.PushIntervalMilliseconds), _stop.Token);
        }

        metrics.ConnectionOpened();
        return connection;
    }

    public LiveConnection? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);

    /// <summary>Follows <paramref name="vehicle"/> on the connection; false when it already follows the most it may.</summary>
    public bool Follow(LiveConnection connection, string vehicle)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.Follow(vehicle, _shared);
    }

    /// <summary>
    /// Starts pushing to <paramref name="connection"/>, whose snapshot went out. What the snapshot showed counts as passed
    /// on: a point older than a vehicle's position in it is late (to followers only), even for a vehicle this replica
    /// has not heard an update of yet. Without it a replica just started (or one that missed a notification) took a
    /// vehicle's first point it heard for fresh whatever its time, and a late one moved the markers back until the
    /// next report.
    /// </summary>
    public void Start(LiveConnection connection, IReadOnlyList<LivePosition> snapshot)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_recentLock)
        {
            foreach (var position in snapshot)
            {
                RecentOf(position.Name).Shown(position.Time);
            }
        }

        connection.Start(snapshot);
    }

    public async Task DisconnectAsync(string connectionId)
    {
        if (_connections.TryRemove(connectionId, out var connection))
        {
            metrics.ConnectionClosed();
            await connection.DisposeAsync();
        }
    }

    private async Task PushAsync(TimeSpan interval, CancellationToken token)
    {
        try
        {
            using var timer = new PeriodicTimer(interval, clock);
            while (await timer.WaitForNextTickAsync(token))
            {
                Push();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // the replica stops
        }
    }

    /// <summary>One push interval: the shared frame, written once, to every connection in step; their own to the others.</summary>
    private void Push()
    {
        lock (_step)
        {
            var frame = _shared.TakeAll();
            if (frame is not null)
            {
                frames.Share(frame.Positions);
            }

            foreach (var connection in _connections.Values)
            {
                connection.Push(frame);
            }
        }
    }

    private int InStepCount()
    {
        var count = 0;
        foreach (var connection in _connections.Values)
        {
            count += connection.InStep ? 1 : 0;
        }

        return count;
    }

    /// <summary>
    /// Hands an update to every connection of this replica. A vehicle's newest position in the update, when newer than
    /// any this replica passed on, is fresh: every connection may show it. Its other positions are trail points that
    /// only connections following the vehicle need: older ones of the same update (a consumer catching up stores many
    /// points per vehicle at once), and late ones that are older than what was passed on already (two queue-consumer
    /// batches, or two consumer replicas, finished out of order); they never move anyone's marker back. One passed on
    /// already (a redelivered batch is announced again) is left out.
    /// </summary>
    public void Dispatch(VehiclePositionsUpdated update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var fresh = new Dictionary<string, LivePosition>(update.Positions.Count, StringComparer.Ordinal);
        List<LivePosition>? trailOnly = null;

        // Decided and offered in one order: an update decided fresh after another is offered after it too. Were the
        // recent-times lock released before the step lock is taken, two updates handled at once could be offered the
        // other way round, with a push between them, and the older "fresh" position would move the markers back. The
        // step lock is taken inside this one (never the other way round: Remove does the same), and only after the
        // deciding, so the push waits for the offers alone.
        lock (_recentLock)
        {
            foreach (var position in update.Positions.OrderBy(p => p.Time))
            {
                var live = LivePosition.From(position);
                switch (RecentOf(live.Name).Add(live.Time))
                {
                    case RecentTimes.Arrival.Newest:
                        if (fresh.Remove(live.Name, out var superseded))
                        {
                            (trailOnly ??= []).Add(superseded);
                        }

                        fresh[live.Name] = live;
                        break;
                    case RecentTimes.Arrival.Late:
                        (trailOnly ??= []).Add(live);
                        break;
                }
            }

            if (fresh.Count == 0 && trailOnly is null)
            {
                return;
            }

            // Oldest first, as followers get them: superseded and late points can interleave.
            IReadOnlyList<LivePosition> trail = trailOnly is null ? [] : [.. trailOnly.OrderBy(p => p.Time)];
            IReadOnlyList<LivePosition> newest = [.. fresh.Values];
            Offer(newest, update.StoredAt, trail);
        }
    }

    /// <summary>The report times passed on for <paramref name="vehicle"/>; called under the recent-times lock.</summary>
    private RecentTimes RecentOf(string vehicle)
    {
        if (!_recent.TryGetValue(vehicle, out var recent))
        {
            _recent[vehicle] = recent = new RecentTimes();
        }

        return recent;
    }

    /// <summary>The positions of one update to the shared buffer and to every connection out of step.</summary>
    private void Offer(IReadOnlyList<LivePosition> newest, DateTimeOffset storedAt, IReadOnlyList<LivePosition> trail)
    {
        lock (_step)
        {
            if (newest.Count > 0 && _shared.Offer(newest, storedAt).DroppedBufferFull is > 0 and var dropped)
            {
                // Each connection in step would have dropped them from its own buffer.
                metrics.PositionsDropped(dropped * InStepCount(), "buffer_full");
            }

            foreach (var connection in _connections.Values)
            {
                if (!connection.InStep)
                {
                    connection.Offer(newest, storedAt, trail);
                }
            }
        }
    }

    /// <summary>
    /// Vehicles that left the fleet: every connection of this replica drops them and tells its browser (each replica
    /// hears the removal on its own subscription, so each browser is told once), and this replica forgets their report
    /// times, so a vehicle that comes back is fresh again.
    /// </summary>
    public void Remove(IReadOnlyCollection<string> vehicles)
    {
        ArgumentNullException.ThrowIfNull(vehicles);
        var gone = new HashSet<string>(vehicles, StringComparer.Ordinal);
        if (gone.Count == 0)
        {
            return;
        }

        // Both locks, in Dispatch's order: an update decided before the removal is offered before it (and removed
        // with it), one decided after finds the vehicle fresh and is offered after it.
        lock (_recentLock)
        {
            foreach (var vehicle in gone)
            {
                _recent.Remove(vehicle);
            }

            // In step, the browser is told with the next shared frame; out of step, at once.
            lock (_step)
            {
                _shared.Remove(gone);
                foreach (var connection in _connections.Values)
                {
                    if (!connection.InStep)
                    {
                        connection.Remove(gone);
                    }
                }
            }
        }

        metrics.VehiclesRemoved(gone.Count);
    }

    /// <summary>
    /// New fleet events to every connection of this replica (each replica hears them on its own subscription, so each
    /// browser is told once). Each connection sends them with its next frame, after the positions: at most one
    /// <c>fleetEvents</c> message per push interval however many announcements came.
    /// </summary>
    public void Announce(FleetEventResponse[] events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Length == 0)
        {
            return;
        }

        lock (_step)
        {
            if (_shared.Announce(events) is > 0 and var dropped)
            {
                metrics.EventsDropped(dropped * InStepCount());
            }

            foreach (var connection in _connections.Values)
            {
                if (!connection.InStep)
                {
                    connection.Announce(events);
                }
            }
        }
    }

    /// <summary>
    /// The report times this replica passed on for one vehicle: its newest, and the last 64 to spot repeats (a batch
    /// redelivered after a consumer died comes within seconds; 64 reports is a minute at one a second, 6 s at ten), and
    /// the newest a snapshot showed.
    /// </summary>
    private sealed class RecentTimes
    {
        private const int Kept = 64;
        private readonly DateTime[] _times = new DateTime[Kept];
        private int _next;

        // Kept apart from the newest passed on: the snapshot read Redis, which the consumer writes before it announces,
        // so the update bringing the shown point is still to come, and the connections that were not shown it need it
        // as fresh. Only an older point is late.
        private DateTime _shown = DateTime.MinValue;

        public enum Arrival { Newest, Late, Repeat }

        public DateTime Newest { get; private set; } = DateTime.MinValue;

        public void Shown(DateTime time)
        {
            if (time > _shown)
            {
                _shown = time;
            }
        }

        public Arrival Add(DateTime time)
        {
            if (Array.IndexOf(_times, time) >= 0)
            {
                return Arrival.Repeat;
            }

            _times[_next] = time;
            _next = (_next + 1) % Kept;
            if (time > Newest && time >= _shown)
            {
                Newest = time;
                return Arrival.Newest;
            }

            return Arrival.Late;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_pushing is not null)
        {
            await _pushing;
        }

        _stop.Dispose();
        foreach (var id in _connections.Keys)
        {
            await DisconnectAsync(id);
        }
    }
}
