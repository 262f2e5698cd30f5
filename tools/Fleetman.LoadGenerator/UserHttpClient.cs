using System.Diagnostics;
using System.Net;

namespace Fleetman.LoadGenerator;

/// <summary>
/// A user's REST calls, timed. Like a browser it has its own HTTP connections, so behind a Kubernetes Service its
/// requests spread over the replicas, and new replicas get their share when its connections are renewed (every minute).
/// </summary>
internal sealed class UserHttpClient : IDisposable
{
    private readonly LoadOptions _options;
    private readonly Measurements _measurements;
    private readonly HttpClient _http;
    private TimeSpan _retryAfter; // what a 429's Retry-After asked for: the next call waits at least that long

    public UserHttpClient(LoadOptions options, Measurements measurements)
    {
        _options = options;
        _measurements = measurements;
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

    public static string UserAgent { get; } = $"Fleetman.LoadGenerator/{typeof(UserHttpClient).Assembly.GetName().Version?.ToString(3)}";

    /// <summary>How long the last 429 asked to wait (zero if none came since the last call), and forgets it.</summary>
    public TimeSpan TakeRetryAfter()
    {
        var retryAfter = _retryAfter;
        _retryAfter = TimeSpan.Zero;
        return retryAfter;
    }

    /// <summary>
    /// One timed request: from sending it to the last byte of the answer. The body of a 2xx is returned when asked
    /// for; null when there was no 2xx answer (or the run ended, in which case nothing is counted).
    /// </summary>
    public async Task<byte[]?> GetAsync(RequestKind kind, string path, bool keepBody, CancellationToken stop)
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

    public void Dispose() => _http.Dispose();
}
