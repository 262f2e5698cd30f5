using Fleetman.Contracts.Api;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleetman.Chaos.Tests.System;

/// <summary>
/// A browser stand-in on the api-gateway's <c>/hubs/vehicles</c> that notes when each <c>positions</c> frame arrived
/// and the newest report time in it. When its connection drops it reconnects every 500 ms, without end: the figures
/// measured with it are the server's recovery time, not a client's backoff schedule (the webapp retries after
/// 0, 2, 5, 10, 20 and 30 s, which adds up to that step to what a browser shows).
/// </summary>
public sealed class LiveClient : IAsyncDisposable
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(500);

    private readonly HubConnection _connection;
    private readonly Lock _lock = new();
    private readonly List<(long ArrivedAt, DateTimeOffset Newest)> _frames = [];
    private int _snapshots;
    private int _reconnects;

    public LiveClient(Uri gateway, bool reconnect = true)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(gateway, "hubs/vehicles"));
        if (reconnect)
        {
            builder.WithAutomaticReconnect(new FixedRetry());
        }

        _connection = builder.Build();
        _connection.On<JsonElement>(VehicleHubMethods.Snapshot, _ => Interlocked.Increment(ref _snapshots));
        _connection.On<JsonElement>(VehicleHubMethods.Positions, frame =>
        {
            var arrived = Stopwatch.GetTimestamp();
            var newest = DateTimeOffset.MinValue;
            foreach (var position in frame.EnumerateArray())
            {
                var time = position.GetProperty("time").GetDateTimeOffset();
                if (time > newest)
                {
                    newest = time;
                }
            }

            lock (_lock)
            {
                _frames.Add((arrived, newest));
            }
        });
        _connection.Reconnected += _ =>
        {
            Interlocked.Increment(ref _reconnects);
            return Task.CompletedTask;
        };
    }

    public HubConnectionState State => _connection.State;

    public int Snapshots => Volatile.Read(ref _snapshots);

    public int Reconnects => Volatile.Read(ref _reconnects);

    public int Frames
    {
        get
        {
            lock (_lock)
            {
                return _frames.Count;
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => _connection.StartAsync(cancellationToken);

    /// <summary>Stopwatch timestamp of the first frame with a report later than <paramref name="after"/>, if one came.</summary>
    public long? FirstFrameWithReportAfter(DateTimeOffset after)
    {
        lock (_lock)
        {
            foreach (var (arrivedAt, newest) in _frames)
            {
                if (newest > after)
                {
                    return arrivedAt;
                }
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private sealed class FixedRetry : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => RetryInterval;
    }
}
