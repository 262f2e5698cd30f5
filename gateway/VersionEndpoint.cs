using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Fleetman.Gateway;

/// <summary>
/// <c>GET /version</c>: which gateway this is and which release it belongs to, for people, scripts and the page's
/// header. Anonymous and not rate limited, like the page itself: the answer is the same bytes every time, made once.
/// </summary>
internal static class VersionEndpoint
{
    public const string Path = "/version";

    public const string ServiceName = "gateway";

    /// <summary>The entry assembly's informational version (the build's version, with the commit when built from git).</summary>
    public static string InformationalVersion { get; } =
        typeof(VersionEndpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static IEndpointConventionBuilder MapVersion(this IEndpointRouteBuilder endpoints)
    {
        var release = endpoints.ServiceProvider.GetRequiredService<IOptions<GatewayOptions>>().Value.Release;
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new VersionInfo(ServiceName, InformationalVersion, string.IsNullOrWhiteSpace(release) ? InformationalVersion : release.Trim()),
            JsonSerializerOptions.Web);
        return endpoints.MapGet(Path, (HttpContext context) =>
        {
            // A new release behind the same address must show at the next load.
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Bytes(body, "application/json");
        });
    }

    private sealed record VersionInfo(string Service, string Version, string Release);
}
