using System.Net.WebSockets;
using Fleetman.Contracts.Api;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleetman.LoadGenerator;

/// <summary>A position as the hub pushes it; only what the measurements need is read.</summary>
internal sealed record HubPosition(string Name, DateTimeOffset Time);

/// <summary>
/// A user's SignalR connection to <c>hubs/vehicles</c>, kept open while the user stays: it takes the snapshot and then
/// every <c>positions</c> frame (push lag per position), connects again when it is lost, and follows the selected vehicle
/// again on every new connection.
/// </summary>
internal sealed class LiveConnection(LoadOptions options, Measurements measurements, Random random, Action<string[]> vehiclesSeen)
{
    public const string HubPath = "hubs/vehicles";

    private readonly Lock _hubLock = new();
    private HubConnection? _hub;
    private bool _up;
    private CancellationToken _leaving; // frames still arriving while a leaving user's connection closes are not counted

    /// <summary>The vehicle the user follows, if any.</summary>
    public string? Followed { get; private set; }

    /// <summary>Follows <paramref name="name"/>; true when the hub took it.</summary>
    public async Task<bool> FollowAsync(string name, CancellationToken stop)
    {
        if (await InvokeAsync(VehicleHubMethods.Follow, name, stop) is not true)
        {
            return false;
        }

        Followed = name;
        return true;
    }

    /// <summary>Stops following the followed vehicle (if the connection is down, its follows are gone anyway).</summary>
    public async Task UnfollowAsync(CancellationToken stop)
    {
        if (Followed is { } name)
        {
            await InvokeAsync(VehicleHubMethods.Unfollow, name, stop);
            Followed = null;
        }
    }

    /// <summary>Connects, and connects again whenever the connection is lost, until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        _leaving = stop;
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var connection = Build();
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.Closed += _ =>
            {
                SetUp(false);
                closed.TrySetResult();
                return Task.CompletedTask;
            };
            try
            {
                await connection.StartAsync(stop);
                failures = 0;
                measurements.ConnectionOpened();
                lock (_hubLock)
                {
                    _hub = connection;
                }

                SetUp(true);
                await FollowAgainAsync(connection, stop);
                await closed.Task.WaitAsync(stop);
                // Closed by the server or after reconnecting failed (automatic reconnects go on forever, so rarely).
                measurements.ConnectionLost();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // the user leaves
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                // Refused, a non-2xx negotiate, a failed upgrade, a handshake timeout: all a failed connect.
                measurements.ConnectFailed(Reason(ex));
                failures++;
            }
            finally
            {
                lock (_hubLock)
                {
                    _hub = null;
                }

                await DisposeQuietlyAsync(connection);
            }

            if (!stop.IsCancellationRequested)
            {
                await Pause.DelayAsync(Backoff(failures), stop);
            }
        }
    }

    private HubConnection Build()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(options.BaseUrl, HubPath), o =>
            {
                // A browser takes WebSockets whenever it can; the fallbacks would measure something else.
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = options.SkipNegotiation;
                o.Headers["User-Agent"] = UserHttpClient.UserAgent;
            })
            .WithAutomaticReconnect(new ForeverRetryPolicy(random))
            .Build();
        connection.On<HubPosition[]>(VehicleHubMethods.Snapshot, snapshot =>
        {
            if (_leaving.IsCancellationRequested)
            {
                return;
            }

            measurements.Snapshot();
            if (snapshot.Length > 0)
            {
                vehiclesSeen([.. snapshot.Select(p => p.Name)]);
            }
        });
        connection.On<HubPosition[]>(VehicleHubMethods.Positions, positions =>
        {
            var now = DateTimeOffset.UtcNow;
            if (_leaving.IsCancellationRequested)
            {
                return;
            }

            Span<double> lags = positions.Length <= 256 ? stackalloc double[positions.Length] : new double[positions.Length];
            for (var i = 0; i < positions.Length; i++)
            {
                lags[i] = (now - positions[i].Time).TotalMilliseconds;
            }

            measurements.Frame(lags);
        });
        connection.Reconnecting += _ =>
        {
            SetUp(false);
            measurements.Reconnecting();
            return Task.CompletedTask;
        };
        connection.Reconnected += async _ =>
        {
            SetUp(true);
            // A new connection on the server: its follows are gone.
            await FollowAgainAsync(connection, CancellationToken.None);
        };
        return connection;
    }

    private void SetUp(bool up)
    {
        lock (_hubLock)
        {
            if (_up != up)
            {
                _up = up;
                measurements.ConnectedChanged(up ? +1 : -1);
            }
        }
    }

    private async Task FollowAgainAsync(HubConnection connection, CancellationToken stop)
    {
        if (Followed is { } name)
        {
            await InvokeAsync(connection, VehicleHubMethods.Follow, name, stop);
        }
    }

    private async Task<bool?> InvokeAsync(string method, string name, CancellationToken stop)
    {
        HubConnection? hub;
        lock (_hubLock)
        {
            hub = _up ? _hub : null;
        }

        return hub is null ? null : await InvokeAsync(hub, method, name, stop);
    }

    private async Task<bool?> InvokeAsync(HubConnection hub, string method, string name, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            await hub.InvokeAsync(method, name, timeout.Token);
            if (method == VehicleHubMethods.Follow)
            {
                measurements.Followed(true);
            }

            return true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is HubException or InvalidOperationException or OperationCanceledException or IOException)
        {
            if (method == VehicleHubMethods.Follow)
            {
                measurements.Followed(false);
            }

            return false;
        }
    }

    /// <summary>Before connecting again: up to 1 s after a lost connection, then about 1, 2, 4, 8, 10 s after failed attempts.</summary>
    private TimeSpan Backoff(int failures) =>
        failures == 0 ? TimeSpan.FromSeconds(random.NextDouble()) : TimeSpan.FromSeconds(Math.Min(10, Math.Pow(2, failures - 1)) * (0.5 + random.NextDouble()));

    private static string Reason(Exception ex) => ex switch
    {
        AggregateException { InnerExceptions: [var inner, ..] } => Reason(inner),
        HttpRequestException { StatusCode: { } status } => ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture),
        HttpRequestException => "connection",
        WebSocketException => "websocket",
        TimeoutException or OperationCanceledException => "timeout",
        _ => ex.GetType().Name,
    };

    private static async Task DisposeQuietlyAsync(HubConnection connection)
    {
        try
        {
            // Stopping sends a close message; an unresponsive server must not hold the run's end.
            await connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or WebSocketException or InvalidOperationException or OperationCanceledException)
        {
            // going away anyway
        }
    }

    /// <summary>Reconnects as long as the user stays: at once, then after about 2, 4, 8 and at most 10 s, jittered.</summary>
    private sealed class ForeverRetryPolicy(Random random) : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext)
        {
            var seconds = retryContext.PreviousRetryCount == 0 ? 0 : Math.Min(10, Math.Pow(2, retryContext.PreviousRetryCount));
            return TimeSpan.FromSeconds(seconds * (0.5 + (random.NextDouble() / 2)));
        }
    }
}
