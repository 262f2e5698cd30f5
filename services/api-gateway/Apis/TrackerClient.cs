using System.Net.Http.Headers;
using Polly;

namespace Fleetman.ApiGateway.Apis;

/// <summary>
/// The position-tracker over HTTP. Its named HttpClient has the standard resilience handler (a short total timeout,
/// a per-attempt timeout, a retry, a circuit breaker) configured from <see cref="TrackerClientOptions"/>. One instance
/// for the service, so it can tell the operator once when the tracker goes away and once when it is back.
/// </summary>
public sealed partial class TrackerClient(IHttpClientFactory httpClients, ILogger<TrackerClient> logger)
{
    public const string HttpClientName = "position-tracker";

    private int _unavailable;

    /// <summary>
    /// GETs <paramref name="pathAndQuery"/> and returns the tracker's answer, body read. Any answer below 500 is the
    /// tracker's to give (200, and 400 or 404 problems); a 5xx, a refused connection, a timeout or an open circuit
    /// throws <see cref="TrackerUnavailableException"/>.
    /// </summary>
    public Task<TrackerAnswer> GetAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, pathAndQuery, null, null, cancellationToken);

    /// <summary>
    /// Sends <paramref name="method"/> to <paramref name="pathAndQuery"/> with an optional body and the caller's
    /// <c>Authorization</c> header (the tracker checks the admin credentials on its state-changing routes too), and
    /// returns its answer as <see cref="GetAsync"/> does. The resilience handler's retry may send it twice, so only
    /// idempotent methods (GET, PUT, DELETE) go through here.
    /// </summary>
    public async Task<TrackerAnswer> SendAsync(
        HttpMethod method, string pathAndQuery, HttpContent? content, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        try
        {
            using var http = httpClients.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(method, new Uri(pathAndQuery, UriKind.Relative)) { Content = content };
            request.Headers.Authorization = authorization;
            using var response = await http.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode >= 500)
            {
                throw Unavailable($"it answered {(int)response.StatusCode} {response.ReasonPhrase}", null);
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (Interlocked.Exchange(ref _unavailable, 0) == 1)
            {
                LogAvailableAgain(logger);
            }

            var source = response.Headers.TryGetValues(TrackerAnswer.SourceHeader, out var values) ? values.FirstOrDefault() : null;
            return new TrackerAnswer((int)response.StatusCode, response.Content.Headers.ContentType, body, source);
        }
        catch (Exception ex) when (ex is HttpRequestException or ExecutionRejectedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw Unavailable(ex.Message, ex);
        }
    }

    private TrackerUnavailableException Unavailable(string reason, Exception? inner)
    {
        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            LogUnavailable(logger, reason);
        }

        return new TrackerUnavailableException(reason, inner);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The position tracker is unavailable ({Reason}); answering from the last known positions until it is back")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The position tracker answers again")]
    private static partial void LogAvailableAgain(ILogger logger);
}

/// <summary>What the tracker answered: passed to the browser as it came.</summary>
/// <param name="Source">The tracker's <c>X-Fleetman-Source</c> header (<c>store</c> when it read the store because Redis was down).</param>
public sealed record TrackerAnswer(int StatusCode, MediaTypeHeaderValue? ContentType, byte[] Body, string? Source = null)
{
    public const string SourceHeader = "X-Fleetman-Source";

    public bool IsSuccess => StatusCode is >= 200 and < 300;
}

/// <summary>The tracker did not answer usefully: refused, timed out, circuit open, or a 5xx.</summary>
public sealed class TrackerUnavailableException(string reason, Exception? inner)
    : Exception($"The position tracker is unavailable: {reason}", inner)
{
    public string Reason { get; } = reason;
}
