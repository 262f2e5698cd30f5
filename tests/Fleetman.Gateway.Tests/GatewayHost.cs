using System.IO.Compression;
using System.Net.Http.Headers;

namespace Fleetman.Gateway.Tests;

/// <summary>
/// Starting the gateway with the settings it gets as environment variables: hosted in the test process (its HTTP
/// behaviour), or as its own process (what only the built binary shows: how it exits on bad settings).
/// </summary>
internal static class GatewayHost
{
    public const string Project = "gateway";
    public const string Assembly = "Fleetman.Gateway";
    public const string AdminPassword = "correct horse battery staple";

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public static AuthenticationHeaderValue Admin { get; } = Basic("admin", AdminPassword);

    public static string DestinationVariable(string cluster, string destination = "d1") =>
        $"ReverseProxy__Clusters__{cluster}__Destinations__{destination}__Address";

    /// <summary>
    /// The settings every test gateway starts from: each cluster points at a port nobody listens on, so no test can
    /// reach a Fleetman that happens to run on this machine; no admin password; no webapp folder.
    /// </summary>
    public static Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Gateway__AdminPassword"] = "",
            ["Webapp__Root"] = "",
        };
        foreach (var cluster in new[] { "api-gateway", "position-simulator", "activemq-console", "webapp" })
        {
            settings[DestinationVariable(cluster)] = Unreachable();
        }

        return settings;
    }

    public static string Unreachable() => $"http://127.0.0.1:{BrokerInstance.FreePort()}/";

    /// <summary>The gateway hosted in the test process, on Kestrel at a free loopback port.</summary>
    public static Task<InProcessService<GatewayOptions>> StartAsync(IDictionary<string, string?> settings) =>
        InProcessService.StartAsync<GatewayOptions>(settings);

    /// <summary>A folder standing in for the built webapp (<c>webapp/dist</c>).</summary>
    public static string CreateWebappFolder()
    {
        var root = Path.Combine(Path.GetTempPath(), "fleetman-webapp-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(root, "assets"));
        File.WriteAllText(Path.Combine(root, "index.html"), IndexHtml);
        File.WriteAllText(Path.Combine(root, "assets", "app.js"), AppJs);
        File.WriteAllText(Path.Combine(root, "assets", "app.css"), "body { margin: 0; }\n");
        // The copies the webapp's build writes beside its script (vite.config.ts); app.css has none.
        File.WriteAllBytes(Path.Combine(root, "assets", "app.js.br"), Compress(AppJs, "br"));
        File.WriteAllBytes(Path.Combine(root, "assets", "app.js.gz"), Compress(AppJs, "gzip"));
        return root;
    }

    public const string AppJs = "console.log('fleetman');\n";

    public static byte[] Compress(string text, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream compressor = encoding == "br" ? new BrotliStream(output, CompressionLevel.SmallestSize) : new GZipStream(output, CompressionLevel.SmallestSize))
        {
            compressor.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }

    public static byte[] Decompress(byte[] wire, string encoding)
    {
        using var input = new MemoryStream(wire);
        using Stream decompressor = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decompressor.CopyTo(output);
        return output.ToArray();
    }

    public const string IndexHtml = "<!doctype html><title>Fleetman Live</title><script type=\"module\" src=\"./assets/app.js\"></script>\n";
}
