using System.Net;

namespace Fleetman.ApiGateway;

/// <summary>Section <c>Hub</c>: how live positions are pushed to browsers, and who may connect how often.</summary>
public sealed class VehicleHubOptions : IValidatableObject
{
    public const string SectionName = "Hub";

    /// <summary>
    /// The hub pings a connection it has sent nothing for this long (SignalR's KeepAliveInterval). The map calls a
    /// connection live only while frames or pings arrive, so this bounds how long a silently lost connection still
    /// shows "Live": 2 s keeps it under 5 s with the page's 3 s margin, for one small frame per idle connection every
    /// 2 s. It is in the OpenAPI document's hub contract, from which the page takes its default; a deployment that
    /// changes it sets the page's <c>hubKeepAliveSeconds</c> (config.json) to match.
    /// </summary>
    [Range(1, 60)]
    public int KeepAliveSeconds { get; set; } = 2;

    /// <summary>
    /// A connection gets at most one frame per interval, with at most one position per vehicle it does not follow.
    /// Updates reach the hub about 40 times a second, so a position waits half an interval for its frame on average
    /// and a whole one at worst: the interval is the largest fixed part of what the map lags behind the store. 50 ms
    /// (20 frames a second per browser, each half the size): with 100 benchmark clients alternating against 100 ms on
    /// a busy machine, write→client p50 68–94 against 156–338 ms and p99 215–411 against 1,115–1,429 ms, for 5–30 %
    /// more CPU in all; 25 ms was worse than 50 (p99 649–4,501 ms: twice the frames, each costing a write per
    /// connection). docs/performance.md, "The push's timing".
    /// </summary>
    [Range(10, 60_000)]
    public int PushIntervalMilliseconds { get; set; } = 50;

    /// <summary>
    /// Vehicles whose newest position one connection may have waiting. Each vehicle takes one slot however often it
    /// reports, so this only bites with a fleet larger than it; the positions of further vehicles are dropped (and
    /// counted) until the next frame leaves.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxBufferedVehicles { get; set; } = 10_000;

    /// <summary>How many vehicles one connection may follow.</summary>
    [Range(1, 1_000)]
    public int MaxFollowedVehicles { get; set; } = 20;

    /// <summary>Points of followed vehicles one connection may have waiting; past that the oldest are dropped (and counted).</summary>
    [Range(1, 100_000)]
    public int FollowBacklog { get; set; } = 1_000;

    /// <summary>
    /// Prefix of the Redis channels of the SignalR backplane: replicas with the same prefix share groups and
    /// broadcasts; another prefix is another, separate set of replicas (tests give each run its own).
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string BackplaneChannelPrefix { get; set; } = "fleetman:";

    /// <summary>
    /// Origins besides the request's own (scheme, host and port, e.g. <c>https://fleet.example</c>) whose pages may
    /// open the hub. A browser request from any other origin is refused (403); requests without an <c>Origin</c>
    /// header (not browsers) are not affected.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>Hub connections one client (IP address, IPv6 /64) may hold at once; further ones are refused.</summary>
    [PerClientLimit]
    public int MaxConnectionsPerClient { get; set; } = 20;

    /// <summary>Negotiate requests one client may make in a burst (a token bucket that many deep).</summary>
    [PerClientLimit]
    public int NegotiateBurst { get; set; } = 20;

    /// <summary>Negotiate requests per second one client may make in the long run (the bucket's refill).</summary>
    [PerClientLimit]
    public int NegotiatePermitsPerSecond { get; set; } = 2;

    /// <summary>
    /// Proxies whose <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> are believed on hub requests (the edge): IP
    /// addresses and CIDR networks separated by commas or spaces. The default is loopback and the private networks,
    /// where the edge runs in every deployment. Empty: nobody's; every client is the address it connects from.
    /// </summary>
    public string TrustedProxies { get; set; } = "127.0.0.0/8 ::1 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 fc00::/7";

    /// <summary>The parsed <see cref="TrustedProxies"/>; a single address is a /32 (or /128) network.</summary>
    public IReadOnlyList<IPNetwork> TrustedNetworks() => ClientLimits.ParseNetworks(TrustedProxies).Networks;

    /// <summary>The parsed <see cref="AllowedOrigins"/>, each as <c>scheme://host[:port]</c> in lower case.</summary>
    public IReadOnlySet<string> AllowedOriginSet() =>
        AllowedOrigins.Select(origin => TryParseOrigin(origin, out var parsed) ? parsed : throw new FormatException(origin)).ToHashSet(StringComparer.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < AllowedOrigins.Count; i++)
        {
            if (!TryParseOrigin(AllowedOrigins[i], out _))
            {
                yield return new($"'{AllowedOrigins[i]}' is not an origin like https://fleet.example (http or https, a host, an optional port, nothing after).",
                    [$"{nameof(AllowedOrigins)}:{i}"]);
            }
        }

        foreach (var entry in ClientLimits.ParseNetworks(TrustedProxies).Invalid)
        {
            yield return new(ClientLimits.InvalidNetworkMessage(entry), [nameof(TrustedProxies)]);
        }
    }

    /// <summary>
    /// An origin as browsers send it: <c>http</c> or <c>https</c>, a host, an optional port and no path, query or
    /// user; normalized to lower case with the scheme's default port left out.
    /// </summary>
    public static bool TryParseOrigin(string? origin, out string normalized)
    {
        normalized = "";
        if (!Uri.TryCreate(origin?.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Host.Length == 0
            || uri.UserInfo.Length > 0
            || uri.AbsolutePath != "/"
            || uri.Query.Length > 0
            || uri.Fragment.Length > 0)
        {
            return false;
        }

        normalized = Normalize(uri.Scheme, uri.IdnHost, uri.Port);
        return true;
    }

    /// <summary><c>scheme://host[:port]</c>, lower case, without the scheme's default port.</summary>
    public static string Normalize(string scheme, string host, int port)
    {
        scheme = scheme.ToLowerInvariant();
        var defaultPort = scheme == Uri.UriSchemeHttps ? 443 : 80;
        var authority = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        return port == defaultPort || port < 0
            ? $"{scheme}://{authority.ToLowerInvariant()}"
            : $"{scheme}://{authority.ToLowerInvariant()}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
