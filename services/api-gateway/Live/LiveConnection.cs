using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;

namespace Fleetman.ApiGateway.Live;

/// <summary>
/// One browser connected to this replica, and what it has yet to be sent. Every <c>PushIntervalMilliseconds</c>
/// <see cref="LiveUpdates"/> pushes each connection: one that is <em>in step</em> (it follows no vehicle, and it had
/// written its last frame) gets the frame every such connection gets, the same array written once for all
/// (<see cref="SharedFrames"/>); one that is not gets what waits in its own <see cref="ConnectionBuffer"/>, and is in
/// step again from then on unless it follows a vehicle. A point of a followed vehicle goes out at once. A browser that
/// reads slowly falls out of step at the interval its connection is still writing: meanwhile its buffer keeps just the
/// newest position per vehicle, and it slows no one else.
/// <para>
/// Every decision here (in step or not, what to take, which send follows which) is made under the replica's one step
/// lock, so frames go out in the order they were taken.
/// </para>
/// </summary>
public sealed partial class LiveConnection : IAsyncDisposable
{
    private readonly string _connectionId;
    private readonly IHubContext<VehicleHub, IVehicleClient> _hub;
    private readonly ApiGatewayMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly FrameSendFailures _failures;
    private readonly Lock _step;
    private readonly ConnectionBuffer _buffer;
    private readonly Channel<bool> _followedWaiting = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private Task _pushingFollowed = Task.CompletedTask;
    private Task _sending = Task.CompletedTask;
    private volatile bool _started;

    /// <param name="failures">Where the replica's connections report the frames they could not send.</param>
    /// <param name="step">The lock every connection of the replica decides its frames under (<see cref="LiveUpdates"/>).</param>
    public LiveConnection(
        string connectionId, IHubContext<VehicleHub, IVehicleClient> hub, VehicleHubOptions options, ApiGatewayMetrics metrics, TimeProvider clock, ILogger logger,
        FrameSendFailures failures, Lock step)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connectionId = connectionId;
        _hub = hub;
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        _failures = failures;
        _step = step;
        _buffer = new ConnectionBuffer(options.MaxBufferedVehicles, options.MaxFollowedVehicles, options.FollowBacklog);
    }

    public string ConnectionId => _connectionId;

    /// <summary>
    /// Gets the shared frames: nothing waits in its own buffer, it follows nothing, and updates go to the shared
    /// buffer only. Read and written under the step lock.
    /// </summary>
    internal bool InStep { get; private set; }

    /// <summary>
    /// Buffers the positions of one update (from before <see cref="Start"/> too, so none is missed): each vehicle's
    /// newest, and the trail points the vehicles this connection follows also need (see <see cref="ConnectionBuffer.Offer"/>).
    /// Only for a connection out of step; called under the step lock.
    /// </summary>
    public void Offer(IReadOnlyList<LivePosition> newest, DateTimeOffset storedAt, IReadOnlyList<LivePosition> trail)
    {
        var result = _buffer.Offer(newest, storedAt, trail);
        if (result.DroppedBufferFull > 0)
        {
            _metrics.PositionsDropped(result.DroppedBufferFull, "buffer_full");
        }

        if (result.DroppedFollowBacklog > 0)
        {
            _metrics.PositionsDropped(result.DroppedFollowBacklog, "follow_backlog_full");
        }

        if (result.FollowedQueued)
        {
            _followedWaiting.Writer.TryWrite(true);
        }
    }

    /// <summary>
    /// Follows <paramref name="vehicle"/>; a connection in step leaves it first, taking what the next shared frame
    /// would have brought it from <paramref name="shared"/>.
    /// </summary>
    public bool Follow(string vehicle, ConnectionBuffer shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        lock (_step)
        {
            if (InStep)
            {
                shared.CopyTo(_buffer);
                InStep = false;
            }

            if (!_buffer.Follow(vehicle))
            {
                return false;
            }
        }

        _followedWaiting.Writer.TryWrite(true); // its waiting position, if any, goes out now
        return true;
    }

    public void Unfollow(string vehicle) => _buffer.Unfollow(vehicle);

    /// <summary>
    /// Vehicles that left the fleet, for a connection out of step (called under the step lock): their waiting
    /// positions go, and the browser is told at once.
    /// </summary>
    public void Remove(IReadOnlyCollection<string> vehicles)
    {
        _buffer.Remove(vehicles);
        _followedWaiting.Writer.TryWrite(true);
    }

    /// <summary>
    /// Fleet events for this browser, for a connection out of step (called under the step lock): they go out with the
    /// next frame, after its positions, rather than as a message of their own at once (each announcement would
    /// otherwise be one more write and one more WebSocket message per connection, on the cores the push needs).
    /// </summary>
    public void Announce(IReadOnlyCollection<FleetEventResponse> events)
    {
        if (_buffer.Announce(events) is > 0 and var dropped)
        {
            _metrics.EventsDropped(dropped);
            LogEventsDropped(_logger, _connectionId, dropped);
        }
    }

    /// <summary>Starts pushing, after the snapshot went out; what waits and the snapshot already has is dropped.</summary>
    public void Start(IEnumerable<LivePosition> snapshot)
    {
        _buffer.DropNotNewerThan(snapshot);
        _started = true;
        _pushingFollowed = PushFollowedAsync(_stop.Token);
    }

    /// <summary>
    /// This push interval's frame for this connection (called under the step lock): the shared one when in step and
    /// done writing; when still writing, the shared frame waits in its own buffer and the connection is out of step;
    /// out of step and done writing, whatever waits in its own buffer, after which it is in step again unless it follows
    /// a vehicle. The frame's send is started here, after the one before it.
    /// </summary>
    internal void Push(ConnectionBuffer.Frame? shared)
    {
        if (!_started || _stop.IsCancellationRequested)
        {
            return; // the snapshot has not gone out yet: everything waits in its own buffer
        }

        var idle = _sending.IsCompleted;
        if (InStep)
        {
            if (shared is null)
            {
                return;
            }

            if (idle)
            {
                _sending = SendAsync(shared, _stop.Token);
                return;
            }

            _buffer.Requeue(shared);
            InStep = false;
            return;
        }

        if (!idle)
        {
            return;
        }

        var own = _buffer.TakeAll();
        if (!_buffer.FollowsAny)
        {
            InStep = true; // everything that came before is in this frame; what comes after goes to the shared buffer
        }

        if (own is not null)
        {
            _sending = SendAsync(own, _stop.Token);
        }
    }

    /// <summary>The points of followed vehicles (and removals) at once, each after the send before it.</summary>
    private async Task PushFollowedAsync(CancellationToken token)
    {
        try
        {
            while (true)
            {
                await _followedWaiting.Reader.ReadAsync(token);
                Task sent;
                lock (_step)
                {
                    var frame = _buffer.TakeFollowed();
                    if (frame is not null)
                    {
                        var before = _sending;
                        _sending = before.IsCompleted ? SendAsync(frame, token) : SendAfterAsync(before, frame, token);
                    }

                    sent = _sending;
                }

                await sent;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // the connection closed
        }
    }

    private async Task SendAfterAsync(Task before, ConnectionBuffer.Frame frame, CancellationToken token)
    {
        await before;
        await SendAsync(frame, token);
    }

    private async Task SendAsync(ConnectionBuffer.Frame frame, CancellationToken token)
    {
        try
        {
            var client = _hub.Clients.Client(_connectionId);
            if (frame.Positions.Length > 0)
            {
                await client.Positions(frame.Positions, token);
                _metrics.FramePushed(frame.Positions.Length, (_clock.GetUtcNow() - frame.OldestStoredAt).TotalMilliseconds);
            }

            // After the positions: a frame taken before the removal may still have carried the vehicles.
            if (frame.Removed.Length > 0)
            {
                await client.VehiclesRemoved(frame.Removed, token);
            }

            if (frame.Events.Length > 0)
            {
                await client.FleetEvents(frame.Events, token);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Counted and logged there; a connection going away is disconnected, which stops this loop.
            _failures.Failed(_connectionId, ex);
        }
        catch (OperationCanceledException)
        {
            // the connection closed
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pushingFollowed;
        await _sending;
        _stop.Dispose();
    }

    // The events are stored: a reload of the page reads them from /api/events.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} does not read: its {Dropped} oldest waiting fleet events were dropped")]
    private static partial void LogEventsDropped(ILogger logger, string connectionId, int dropped);
}
