using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json.Serialization.Metadata;

namespace Fleetman.Gateway;

/// <summary>
/// <c>GET /version</c>: which gateway this is and which release it belongs to, for people, scripts and the page's
/// header. Anonymous and not rate limited, like the page itself: the answer is the same bytes every time, made once.
/// </summary>
internal static class VersionEndpoint
{
    public const string Path = "/version";

    public const string ServiceName = "gateway";

    /// <summary>The gateway assembly's informational version (the build's version, with the commit when built from git).</summary>
    public static string InformationalVersion { get; } =
        typeof(VersionEndpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    // The default encoder writes the "+" before a commit as \u002B, for JSON pasted into HTML; this is served as
    // application/json only, so it is written as it is, readable by people and scripts.
    // The metadata is generated at build time (VersionJsonContext), so a trimmed build writes the same answer.
    private static readonly JsonTypeInfo<VersionInfo> Json = (JsonTypeInfo<VersionInfo>)new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = VersionJsonContext.Default,
    }.GetTypeInfo(typeof(VersionInfo));

    public static IServiceCollection AddVersionEndpoint(this IServiceCollection services) => services.AddSingleton<VersionDocument>();

    public static IEndpointConventionBuilder MapVersion(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Path, (HttpContext context, VersionDocument document) =>
        {
            // A new release behind the same address must show at the next load.
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Bytes(document.Body, "application/json");
        });

    /// <summary>
    /// The answer, made at the first request: the options are read only after the host has validated them at start
    /// (reading them while the pipeline is built would stop a bad setting before it can be reported by name).
    /// </summary>
    internal sealed class VersionDocument(IOptions<GatewayOptions> options)
    {
        public byte[] Body { get; } = JsonSerializer.SerializeToUtf8Bytes(
            new VersionInfo(ServiceName, InformationalVersion, options.Value.Release is { } release && !string.IsNullOrWhiteSpace(release) ? release.Trim() : InformationalVersion),
            Json);
    }

    internal sealed record VersionInfo(string Service, string Version, string Release);
}

[JsonSerializable(typeof(VersionEndpoint.VersionInfo))]
internal sealed partial class VersionJsonContext : JsonSerializerContext;
