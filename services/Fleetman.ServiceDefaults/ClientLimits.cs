using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using IPNetwork = System.Net.IPNetwork;

namespace Fleetman.ServiceDefaults;

/// <summary>
/// Who a request's client is and how often it may ask: the one definition the edge's API limit and the api-gateway's
/// hub admission share. A client is the address a request came from or, from a trusted proxy, the address that proxy
/// forwarded; an IPv6 client is its /64, which one subscriber usually holds whole. A client over its limit gets a 429
/// problem whose <c>Retry-After</c> is the real wait, so a client that obeys it gets in on its first retry.
/// </summary>
public static class ClientLimits
{
    /// <summary>The most any per-client limit may allow: see <see cref="PerClientLimitAttribute"/>.</summary>
    public const int Most = 100_000;

    /// <summary>RFC 6585 defines 429; every other problem's type is its status's RFC section too.</summary>
    public const string TooManyRequestsType = "https://tools.ietf.org/html/rfc6585#section-4";

    /// <summary>
    /// The partitioned limiters refill their buckets on a 100 ms heartbeat, so a token comes up to this much later than
    /// the bucket's own answer says.
    /// </summary>
    private static readonly TimeSpan ReplenishmentLag = TimeSpan.FromMilliseconds(100);

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

    /// <summary>The client of <paramref name="context"/> (after the forwarded headers were applied).</summary>
    public static string ClientKey(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ClientKey(context.Connection.RemoteIpAddress);
    }

    /// <summary>
    /// A setting's list of proxies (IP addresses and CIDR networks separated by commas or spaces) and the entries in it
    /// that are neither, for the options' validation to name.
    /// </summary>
    public static (IReadOnlyList<IPNetwork> Networks, IReadOnlyList<string> Invalid) ParseNetworks(string? list)
    {
        var networks = new List<IPNetwork>();
        var invalid = new List<string>();
        foreach (var entry in (list ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPAddress.TryParse(entry, out var address))
            {
                // A single address is a /32 (or /128) network.
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else
            {
                invalid.Add(entry);
            }
        }

        return (networks, invalid);
    }

    /// <summary>The message the options' validation gives for an entry of a proxy list that is not one.</summary>
    public static string InvalidNetworkMessage(string entry) => $"'{entry}' is neither an IP address nor a CIDR network like 10.0.0.0/8.";

    /// <summary>
    /// Believes <paramref name="headers"/> from <paramref name="trusted"/> proxies only. The middleware trusts loopback
    /// by default (and everyone when its lists are empty), so its lists are replaced, and no trusted proxy switches it
    /// off. Each trusted hop may add one address; the first untrusted one from the right is the client.
    /// </summary>
    public static void TrustOnly(this ForwardedHeadersOptions forwarded, IReadOnlyList<IPNetwork> trusted, ForwardedHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(forwarded);
        ArgumentNullException.ThrowIfNull(trusted);
        forwarded.ForwardedHeaders = trusted.Count == 0 ? ForwardedHeaders.None : headers;
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // Still a list of its own, also trusted, with loopback in it by default.
        forwarded.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
        foreach (var network in trusted)
        {
            forwarded.KnownIPNetworks.Add(network);
        }

        forwarded.ForwardLimit = null;
    }

    /// <summary>
    /// A token bucket per client, <paramref name="burst"/> deep, refilled by <paramref name="perSecond"/> every second.
    /// A bucket, not a window: after a burst a sliding window frees nothing until the burst's segment leaves it, while
    /// its leases say "one segment", so a client obeying Retry-After is refused again and again; a bucket's leases say
    /// when the next token comes. Partitions of clients whose bucket is full again are dropped by the limiter.
    /// </summary>
    public static RateLimitPartition<string> PerClientBucket(HttpContext context, int burst, int perSecond) =>
        RateLimitPartition.GetTokenBucketLimiter(ClientKey(context), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    /// <summary>Whole seconds, rounded up, at least one: Retry-After has no fractions, and 0 would invite a retry storm.</summary>
    public static int RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    /// <summary>
    /// Answers a refused request: <c>Retry-After</c> from the bucket's own answer plus the limiter's refill lag, rounded
    /// up, and a 429 problem whose detail <paramref name="detail"/> writes from those seconds.
    /// </summary>
    public static async ValueTask RejectAsync(OnRejectedContext rejected, Func<int, string> detail)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        ArgumentNullException.ThrowIfNull(detail);
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        var seconds = RetryAfterSeconds(wait + ReplenishmentLag);
        rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await WriteProblemAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, TooManyRequestsType, "Too many requests", detail(seconds));
    }

    /// <summary>A problem answer through the service's <see cref="IProblemDetailsService"/>, with an explicit type.</summary>
    public static Task WriteProblemAsync(HttpContext context, int status, string type, string title, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Type = type, Title = title, Detail = detail },
        }).AsTask();
    }
}

/// <summary>
/// The range of a setting that limits one client (<see cref="ClientLimits"/>: requests per second, a burst, connections
/// held): 1 to <see cref="ClientLimits.Most"/>, the same for every such limit of the edge and the api-gateway, so that a
/// deployment that lifts them (a load test from one machine) finds one ceiling.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PerClientLimitAttribute() : RangeAttribute(1, ClientLimits.Most);
