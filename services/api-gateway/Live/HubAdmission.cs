using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.SignalR;

namespace Fleetman.ApiGateway.Live;

/// <summary>
/// Who may open the hub, and how much: browsers only from an allowed origin (their own by default), at most
/// <see cref="VehicleHubOptions.MaxConnectionsPerClient"/> connections and a token bucket of negotiate requests per
/// client. Enforced here, not at the edge, so that it holds on the api-gateway's own port too. A client is the address
/// the request came from or, from a trusted proxy (the edge), the address that proxy forwarded.
/// </summary>
public static class HubAdmission
{
    public const string NegotiatePolicyName = "hub-negotiate";

    public const string ForbiddenType = "https://tools.ietf.org/html/rfc9110#section-15.5.4";

    public static IServiceCollection AddHubAdmission(this IServiceCollection services)
    {
        services.AddSingleton<HubConnectionCounter>();
        // X-Forwarded-Host and -Proto make the edge's public origin the request's own, so "same origin" holds through
        // the edge, which sends the api-gateway its own Host.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<VehicleHubOptions>>((forwarded, hub) =>
            forwarded.TrustOnly(hub.Value.TrustedNetworks(), ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost));
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy<string, NegotiateRateLimitPolicy>(NegotiatePolicyName);
        });
        return services;
    }

    /// <summary>
    /// On the hub's requests only: forwarded headers, the Origin check, the connection cap at negotiate, and the
    /// negotiate rate limit. Call it before the hub is mapped.
    /// </summary>
    public static WebApplication UseHubAdmission(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWhen(context => context.Request.Path.StartsWithSegments(VehicleHub.Path, StringComparison.OrdinalIgnoreCase), hub =>
        {
            hub.UseForwardedHeaders();
            hub.Use(AdmitAsync);
            hub.UseRateLimiter();
        });
        return app;
    }

    /// <summary>Whether the request's <c>Origin</c> (if it has one) is its own origin or an allowed one.</summary>
    public static bool OriginAllowed(HttpRequest request, VehicleHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var origins = request.Headers.Origin;
        if (origins.Count == 0)
        {
            // Not a browser (scripts, the load generator, tests): Origin protects a browser's user from other sites'
            // pages, and anything else can send whatever Origin it likes.
            return true;
        }

        if (origins.Count > 1 || !VehicleHubOptions.TryParseOrigin(origins[0], out var origin))
        {
            return false; // "null" (sandboxed frames, file: pages) and anything malformed
        }

        var host = request.Host;
        if (host.HasValue && origin == VehicleHubOptions.Normalize(request.Scheme, host.Host, host.Port ?? -1))
        {
            return true;
        }

        return options.AllowedOriginSet().Contains(origin);
    }

    private static async Task AdmitAsync(HttpContext context, RequestDelegate next)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<VehicleHubOptions>>().Value;
        if (!OriginAllowed(context.Request, options))
        {
            await ClientLimits.WriteProblemAsync(context, StatusCodes.Status403Forbidden, ForbiddenType, "Origin not allowed",
                $"Pages from {context.Request.Headers.Origin} may not open the live positions hub (Hub__AllowedOrigins).");
            return;
        }

        var client = ClientLimits.ClientKey(context);
        if (IsNegotiate(context.Request)
            && context.RequestServices.GetRequiredService<HubConnectionCounter>().Count(client) >= options.MaxConnectionsPerClient)
        {
            // No Retry-After: a slot frees when one of the client's connections closes, not after a known time.
            await ClientLimits.WriteProblemAsync(context, StatusCodes.Status429TooManyRequests, ClientLimits.TooManyRequestsType, "Too many connections",
                $"At most {options.MaxConnectionsPerClient} live connections from one client; close one first.");
            return;
        }

        await next(context);
    }

    internal static bool IsNegotiate(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.Value is { } path && path.EndsWith("/negotiate", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A token bucket of negotiate requests per client. The other hub requests (the connection itself, long polls)
    /// share one unlimited partition. Partitions of clients whose bucket is full again are dropped by the limiter, so
    /// there are only as many as clients negotiated within the last burst's refill time.
    /// </summary>
    internal sealed class NegotiateRateLimitPolicy(IOptions<VehicleHubOptions> options) : IRateLimiterPolicy<string>
    {
        private const string Unlimited = "";

        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = (rejected, _) =>
        {
            var hub = rejected.HttpContext.RequestServices.GetRequiredService<IOptions<VehicleHubOptions>>().Value;
            return ClientLimits.RejectAsync(rejected, seconds =>
                $"At most {hub.NegotiateBurst} hub negotiations at once and {hub.NegotiatePermitsPerSecond} per second from one client; retry in {seconds} s.");
        };

        public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
            IsNegotiate(httpContext.Request)
                ? ClientLimits.PerClientBucket(httpContext, options.Value.NegotiateBurst, options.Value.NegotiatePermitsPerSecond)
                : RateLimitPartition.GetNoLimiter(Unlimited);
    }
}

/// <summary>Open hub connections per client; a client's entry goes when its last connection does.</summary>
public sealed class HubConnectionCounter
{
    private readonly ConcurrentDictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _clientOf = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int Count(string client) => _perClient.TryGetValue(client, out var count) ? count : 0;

    /// <summary>Counts <paramref name="connectionId"/> for <paramref name="client"/> unless the client is at <paramref name="max"/>.</summary>
    public bool TryAdd(string client, string connectionId, int max)
    {
        lock (_lock)
        {
            var count = Count(client);
            if (count >= max || !_clientOf.TryAdd(connectionId, client))
            {
                return false;
            }

            _perClient[client] = count + 1;
            return true;
        }
    }

    /// <summary>Forgets <paramref name="connectionId"/>; a connection that was never counted (or already forgotten) changes nothing.</summary>
    public void Remove(string connectionId)
    {
        lock (_lock)
        {
            if (!_clientOf.TryRemove(connectionId, out var client))
            {
                return;
            }

            var count = Count(client) - 1;
            if (count <= 0)
            {
                _perClient.TryRemove(client, out _);
            }
            else
            {
                _perClient[client] = count;
            }
        }
    }
}

/// <summary>
/// The connection cap, on the connection itself: negotiate refuses a client at its cap, but a client can skip
/// negotiation (WebSockets straight away) or negotiate many times before connecting. A connection over the cap is
/// closed right after the handshake, with the reason.
/// </summary>
public sealed class HubConnectionCap(HubConnectionCounter counter, IOptions<VehicleHubOptions> options) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var connectionId = context.Context.ConnectionId;
        var client = ClientLimits.ClientKey(context.Context.GetHttpContext()?.Connection.RemoteIpAddress);
        var max = options.Value.MaxConnectionsPerClient;
        if (!counter.TryAdd(client, connectionId, max))
        {
            throw new HubException($"At most {max} live connections from one client; close one first.");
        }

        try
        {
            await next(context);
        }
        catch
        {
            counter.Remove(connectionId);
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context, exception);
        }
        finally
        {
            counter.Remove(context.Context.ConnectionId);
        }
    }
}
