using System.Threading.Channels;
using Fleetman.Contracts.Api;
using Microsoft.AspNetCore.SignalR;

namespace Fleetman.ApiGateway.Live;

/// <summary>
/// One browser connected to this replica: its <see cref="ConnectionBuffer"/> and the loop that pushes it. Every
/// <c>PushIntervalMilliseconds</c> whatever waits goes out as one <c>positions</c> frame; a point of a followed vehicle
/// goes out at once. The loop awaits each send, so a browser that reads slowly slows only its own loop, and meanwhile
/// its buffer keeps just the newest position per vehicle.
/// </summary>
public sealed partial class LiveConnection : IAsyncDisposable
{
    private readonly string _connectionId;
    private readonly IHubContext<VehicleHub, IVehicleClient> _hub;
    private readonly ApiGatewayMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly ConnectionBuffer _buffer;
    private readonly Channel<bool> _followedWaiting = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private Task _pushing = Task.CompletedTask;

    public LiveConnection(string connectionId, IHubContext<VehicleHub, IVehicleClient> hub, VehicleHubOptions options, ApiGatewayMetrics metrics, TimeProvider clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connectionId = connectionId;
        _hub = hub;
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        _interval = TimeSpan.FromMilliseconds(options.PushIntervalMilliseconds);
        _buffer = new ConnectionBuffer(options.MaxBufferedVehicles, options.MaxFollowedVehicles, options.FollowBacklog);
    }

    public string ConnectionId => _connectionId;

    /// <summary>
    /// Buffers the positions of one update (from before <see cref="Start"/> too, so none is missed): each vehicle's
    /// newest, and the trail points the vehicles this connection follows also need (see <see cref="ConnectionBuffer.Offer"/>).
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

    public bool Follow(string vehicle)
    {
        if (!_buffer.Follow(vehicle))
        {
            return false;
        }

        _followedWaiting.Writer.TryWrite(true); // its waiting position, if any, goes out now
        return true;
    }

    public void Unfollow(string vehicle) => _buffer.Unfollow(vehicle);

    /// <summary>Vehicles that left the fleet: their waiting positions go, and the browser is told at once.</summary>
    public void Remove(IReadOnlyCollection<string> vehicles)
    {
        _buffer.Remove(vehicles);
        _followedWaiting.Writer.TryWrite(true);
    }

    /// <summary>
    /// Fleet events for this browser: they go out with the next frame, after its positions, rather than as a message
    /// of their own at once (each announcement would otherwise be one more write and one more WebSocket message per
    /// connection, on the cores the push needs).
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
        _pushing = PushAsync(_stop.Token);
    }

    private async Task PushAsync(CancellationToken token)
    {
        try
        {
            using var timer = new PeriodicTimer(_interval, _clock);
            var tick = timer.WaitForNextTickAsync(token).AsTask();
            var followed = _followedWaiting.Reader.ReadAsync(token).AsTask();
            while (true)
            {
                ConnectionBuffer.Frame? frame;
                if (await Task.WhenAny(tick, followed) == tick)
                {
                    if (!await tick)
                    {
                        return;
                    }

                    frame = _buffer.TakeAll();
                    tick = timer.WaitForNextTickAsync(token).AsTask();
                }
                else
                {
                    await followed;
                    frame = _buffer.TakeFollowed();
                    followed = _followedWaiting.Reader.ReadAsync(token).AsTask();
                }

                if (frame is not null)
                {
                    await SendAsync(frame, token);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // the connection closed
        }
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
            // The connection is going away; its disconnect stops this loop.
            LogSendFailed(_logger, _connectionId, ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pushing;
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not push positions to connection {ConnectionId}: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string connectionId, string reason);

    // The events are stored: a reload of the page reads them from /api/events.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} does not read: its {Dropped} oldest waiting fleet events were dropped")]
    private static partial void LogEventsDropped(ILogger logger, string connectionId, int dropped);
}
