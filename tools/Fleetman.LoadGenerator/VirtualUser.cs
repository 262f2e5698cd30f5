using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleetman.LoadGenerator;

/// <summary>A position as the hub pushes it; only what the measurements need is read.</summary>
internal sealed record HubPosition(string Name, DateTimeOffset Time);

/// <summary>
/// One browser with the live map open: a SignalR connection to <c>hubs/vehicles</c> that takes the snapshot and then
/// every <c>positions</c> frame (push lag per position), and a loop of REST calls with think times in between, the
/// page's first <c>GET /api/vehicles/</c> first. Selecting a vehicle loads its history and follows it on the hub for a
/// while. Like a browser it has its own HTTP connections, so behind a Kubernetes Service its requests spread over the
/// replicas, and new replicas get their share when its connections are renewed (every minute).
/// </summary>
internal sealed class VirtualUser : IDisposable
{
    public const string HubPath = "hubs/vehicles";

    private readonly LoadOptions _options;
    private readonly Measurements _measurements;
    private readonly Random _random;
    private readonly Random _hubRandom; // the hub's loop and reconnect policy run apart from the REST loop
    private readonly HttpClient _http;
    private readonly Lock _hubLock = new();
    private HubConnection? _hub;
    private bool _up;
    private string[] _names = [];
    private string? _followed;
    private DateTime _unfollowAt;
    private TimeSpan _retryAfter; // what a 429's Retry-After asked for: the next call waits at least that long
    private CancellationToken _leaving; // frames still arriving while a leaving user's connection closes are not counted

    public VirtualUser(LoadOptions options, Measurements measurements, Random random)
    {
        _options = options;
        _measurements = measurements;
        _random = random;
        _hubRandom = new Random(random.Next());
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectTimeout = options.RequestTimeout,
            AutomaticDecompression = DecompressionMethods.All,
        })
        {
            BaseAddress = options.BaseUrl,
            Timeout = Timeout.InfiniteTimeSpan, // each request has its own, --request-timeout
        };
        _http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    public static string UserAgent { get; } = $"Fleetman.LoadGenerator/{typeof(VirtualUser).Assembly.GetName().Version?.ToString(3)}";

    public async Task RunAsync(CancellationToken stop)
    {
        _leaving = stop;
        _measurements.UsersChanged(+1);
        try
        {
            await Task.WhenAll(HubLoopAsync(stop), RestLoopAsync(stop));
        }
        finally
        {
            _measurements.UsersChanged(-1);
        }
    }

    private async Task HubLoopAsync(CancellationToken stop)
    {
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
                _measurements.ConnectionOpened();
                lock (_hubLock)
                {
                    _hub = connection;
                }

                SetUp(true);
                await FollowAgainAsync(connection, stop);
                await closed.Task.WaitAsync(stop);
                // Closed by the server or after reconnecting failed (automatic reconnects go on forever, so rarely).
                _measurements.ConnectionLost();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // the user leaves
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                // Refused, a non-2xx negotiate, a failed upgrade, a handshake timeout: all a failed connect.
                _measurements.ConnectFailed(Reason(ex));
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
                await DelayAsync(Backoff(failures), stop);
            }
        }
    }

    private HubConnection Build()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(_options.BaseUrl, HubPath), o =>
            {
                // A browser takes WebSockets whenever it can; the fallbacks would measure something else.
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = _options.SkipNegotiation;
                o.Headers["User-Agent"] = UserAgent;
            })
            .WithAutomaticReconnect(new ForeverRetryPolicy(_hubRandom))
            .Build();
        connection.On<HubPosition[]>("snapshot", snapshot =>
        {
            if (_leaving.IsCancellationRequested)
            {
                return;
            }

            _measurements.Snapshot();
            if (snapshot.Length > 0)
            {
                Volatile.Write(ref _names, [.. snapshot.Select(p => p.Name)]);
            }
        });
        connection.On<HubPosition[]>("positions", positions =>
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

            _measurements.Frame(lags);
        });
        connection.Reconnecting += _ =>
        {
            SetUp(false);
            _measurements.Reconnecting();
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
                _measurements.ConnectedChanged(up ? +1 : -1);
            }
        }
    }

    private async Task RestLoopAsync(CancellationToken stop)
    {
        // Users that arrive together do not load the page in step.
        await DelayAsync(_options.ThinkTime * _random.NextDouble(), stop);
        if (!stop.IsCancellationRequested)
        {
            await ListAsync(stop);
        }

        while (!stop.IsCancellationRequested)
        {
            await DelayAsync(NextThinkTime(), stop);
            if (stop.IsCancellationRequested)
            {
                return;
            }

            if (_followed is { } followed && DateTime.UtcNow >= _unfollowAt)
            {
                await InvokeAsync("Unfollow", followed, stop);
                _followed = null;
            }

            var names = Volatile.Read(ref _names);
            var action = names.Length == 0 ? UserAction.List : _options.Mix.Pick(_random.NextDouble());
            switch (action)
            {
                case UserAction.List:
                    await ListAsync(stop);
                    break;
                case UserAction.Vehicle:
                    await GetAsync(RequestKind.Vehicle, "api/vehicles/" + Uri.EscapeDataString(Pick(names)), keepBody: false, stop);
                    break;
                default:
                    await SelectAsync(Pick(names), stop);
                    break;
            }
        }
    }

    private TimeSpan NextThinkTime()
    {
        var think = _options.ThinkTime * (0.5 + _random.NextDouble());
        var retryAfter = _retryAfter;
        _retryAfter = TimeSpan.Zero;
        return think > retryAfter ? think : retryAfter;
    }

    private string Pick(string[] names) => names[_random.Next(names.Length)];

    private async Task ListAsync(CancellationToken stop)
    {
        var body = await GetAsync(RequestKind.List, "api/vehicles/", keepBody: true, stop);
        if (body is null)
        {
            return;
        }

        try
        {
            using var list = JsonDocument.Parse(body);
            if (list.RootElement.ValueKind == JsonValueKind.Array)
            {
                var names = list.RootElement.EnumerateArray()
                    .Select(v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("name", out var n) ? n.GetString() : null)
                    .OfType<string>()
                    .ToArray();
                if (names.Length > 0)
                {
                    Volatile.Write(ref _names, names);
                }
            }
        }
        catch (JsonException)
        {
            // a 2xx that is not the list: its latency counted; the names stay what they were
        }
    }

    /// <summary>The user clicks a vehicle: its trail, then every point of it live for --follow-time.</summary>
    private async Task SelectAsync(string name, CancellationToken stop)
    {
        var history = await GetAsync(RequestKind.History, "api/history/" + Uri.EscapeDataString(name), keepBody: false, stop);
        if (history is null || _options.FollowTime == TimeSpan.Zero)
        {
            return;
        }

        if (_followed is { } previous && previous != name)
        {
            await InvokeAsync("Unfollow", previous, stop);
            _followed = null;
        }

        if (await InvokeAsync("Follow", name, stop) is true)
        {
            _followed = name;
            _unfollowAt = DateTime.UtcNow + _options.FollowTime;
        }
    }

    private async Task FollowAgainAsync(HubConnection connection, CancellationToken stop)
    {
        if (_followed is { } name)
        {
            await InvokeAsync(connection, "Follow", name, stop);
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
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            await hub.InvokeAsync(method, name, timeout.Token);
            if (method == "Follow")
            {
                _measurements.Followed(true);
            }

            return true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is HubException or InvalidOperationException or OperationCanceledException or IOException)
        {
            if (method == "Follow")
            {
                _measurements.Followed(false);
            }

            return false;
        }
    }

    /// <summary>
    /// One timed request: from sending it to the last byte of the answer. The body of a 2xx is returned when asked
    /// for; null when there was no 2xx answer (or the run ended, in which case nothing is counted).
    /// </summary>
    private async Task<byte[]?> GetAsync(RequestKind kind, string path, bool keepBody, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.RequestTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            byte[]? body = null;
            if (keepBody && response.IsSuccessStatusCode)
            {
                body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            }
            else
            {
                await response.Content.CopyToAsync(Stream.Null, timeout.Token);
            }

            _measurements.Answered(kind, (int)response.StatusCode, Stopwatch.GetElapsedTime(started));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                _retryAfter = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            }

            return response.IsSuccessStatusCode ? body ?? [] : null;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            _measurements.Failed(kind, "timeout");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            _measurements.Failed(kind, "connection");
        }

        return null;
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
            // the user leaves
        }
    }

    /// <summary>Before connecting again: up to 1 s after a lost connection, then about 1, 2, 4, 8, 10 s after failed attempts.</summary>
    private TimeSpan Backoff(int failures) =>
        failures == 0 ? TimeSpan.FromSeconds(_hubRandom.NextDouble()) : TimeSpan.FromSeconds(Math.Min(10, Math.Pow(2, failures - 1)) * (0.5 + _hubRandom.NextDouble()));

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

    public void Dispose() => _http.Dispose();

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
