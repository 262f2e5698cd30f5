using System.Net;

namespace Fleetman.Gateway;

/// <summary>Section <c>Gateway</c>.</summary>
public sealed class GatewayOptions : IValidatableObject
{
    public const string SectionName = "Gateway";

    /// <summary>The shortest admin password accepted: the admin routes face the internet.</summary>
    public const int MinAdminPasswordLength = 12;

    /// <summary>
    /// Password of the user <c>admin</c> on the admin routes (a Kubernetes Secret). There is no default: while it is
    /// empty the admin routes answer 403.
    /// </summary>
    public string? AdminPassword { get; set; }

    /// <summary>The largest request body the gateway accepts and forwards; larger ones are answered 413.</summary>
    [Range(1_024, 104_857_600)]
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Proxies in front of the gateway whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed: IP
    /// addresses and CIDR networks (<c>10.0.0.0/8</c>), separated by commas or spaces. Empty: nobody's.
    /// </summary>
    public string TrustedProxies { get; set; } = "";

    /// <summary>
    /// When above 0, destination addresses given by host name are resolved through DNS to every address the name has,
    /// each its own destination, and resolved again this often. In Kubernetes a headless Service's name then stands
    /// for every pod behind it, so session affinity can pin a browser to one api-gateway replica. 0: names are left
    /// to the HTTP client (one connection target per destination).
    /// </summary>
    [Range(0, 3_600)]
    public int DestinationDnsRefreshSeconds { get; set; }

    /// <summary>Where the map's tiles come from, as Content-Security-Policy sources separated by spaces (<c>img-src</c>).</summary>
    public string MapTileSources { get; set; } = "https://*.tile.openstreetmap.org";

    /// <summary>
    /// What <c>GET /version</c> reports as the release, e.g. <c>0-5</c> in an image built for one step of a course:
    /// the page shows it in its header. Empty: the gateway's own version.
    /// </summary>
    [StringLength(64)]
    public string? Release { get; set; }

    public bool AdminEnabled => !string.IsNullOrEmpty(AdminPassword);

    /// <summary>The parsed <see cref="TrustedProxies"/>; a single address is a /32 (or /128) network.</summary>
    public IReadOnlyList<IPNetwork> TrustedNetworks() => ClientLimits.ParseNetworks(TrustedProxies).Networks;

    public IReadOnlyList<string> MapTileSourceList() => Split(MapTileSources);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AdminEnabled && AdminPassword!.Length < MinAdminPasswordLength)
        {
            yield return new($"The admin password must have at least {MinAdminPasswordLength} characters.", [nameof(AdminPassword)]);
        }

        foreach (var entry in ClientLimits.ParseNetworks(TrustedProxies).Invalid)
        {
            yield return new(ClientLimits.InvalidNetworkMessage(entry), [nameof(TrustedProxies)]);
        }

        // One source is scheme, host and port, with wildcards; anything that could end the directive or add another is refused.
        foreach (var source in MapTileSourceList().Where(source => source.IndexOfAny([';', ',', '\'', '"']) >= 0))
        {
            yield return new($"'{source}' is not a Content-Security-Policy source like https://*.tile.openstreetmap.org.", [nameof(MapTileSources)]);
        }
    }

    private static string[] Split(string? list) =>
        (list ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
