using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Fleetman.Gateway;

/// <summary>
/// The <see cref="PolicyName"/> rate limiting policy, which routes name in their <c>RateLimiterPolicy</c>: a token
/// bucket per client IP address (the address X-Forwarded-For gives when the request came through a trusted proxy;
/// IPv6 clients by their /64, which one subscriber usually holds whole). Refused requests get a 429 problem whose
/// Retry-After is the real wait until the next permit.
/// </summary>
internal static class ApiRateLimiting
{
    public const string PolicyName = "api";

    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(PolicyName, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<ApiRateLimitOptions>>().Value;
                // A token bucket, not a sliding window: after a burst a sliding window frees nothing until the burst's
                // segment leaves the window, while its leases say "one segment", so a client obeying Retry-After was
                // refused again and again. The bucket refills every second and its leases say when the next token comes.
                return RateLimitPartition.GetTokenBucketLimiter(ClientKey(context.Connection.RemoteIpAddress), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.PermitsPerWindow,
                    TokensPerPeriod = options.PermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = WriteRejectionAsync;
        });
        return services;
    }

    /// <summary>The partition of one client: its IPv4 address, or its IPv6 /64.</summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    public const string TooManyRequestsType = "https://tools.ietf.org/html/rfc6585#section-4";

    /// <summary>Whole seconds, rounded up, at least one: Retry-After has no fractions, and 0 would invite a retry storm.</summary>
    public static int RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    private static async ValueTask WriteRejectionAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var options = context.RequestServices.GetRequiredService<IOptions<ApiRateLimitOptions>>().Value;

        // The bucket's own answer (when the next token comes), rounded up: a client that waits this long gets in.
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        var seconds = RetryAfterSeconds(retryAfter);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);

        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                // ASP.NET Core has no default type for 429: the RFC that defines it, like the other problems' types.
                Type = TooManyRequestsType,
                Title = "Too many requests",
                Detail = $"At most {options.PermitsPerWindow} API requests per {options.WindowSeconds} s from one client; retry in {seconds} s.",
            },
        });
    }
}
