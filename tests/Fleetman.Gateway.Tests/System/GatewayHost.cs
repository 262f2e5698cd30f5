using System.Net.Http.Headers;
using System.Text;
using Fleetman.Testing;

namespace Fleetman.Gateway.Tests.System;

/// <summary>Starting the gateway as it runs in production: its own process, configured by environment variables.</summary>
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

    public static Task<ServiceProcess> StartAsync(IDictionary<string, string?> settings) =>
        ServiceProcess.StartProjectAsync(Project, Assembly, settings);

    /// <summary>A folder standing in for the built webapp (<c>webapp/dist</c>).</summary>
    public static string CreateWebappFolder()
    {
        var root = Path.Combine(Path.GetTempPath(), "fleetman-webapp-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(root, "assets"));
        File.WriteAllText(Path.Combine(root, "index.html"), IndexHtml);
        File.WriteAllText(Path.Combine(root, "assets", "app.js"), "console.log('fleetman');\n");
        File.WriteAllText(Path.Combine(root, "assets", "app.css"), "body { margin: 0; }\n");
        return root;
    }

    public const string IndexHtml = "<!doctype html><title>Fleetman Live</title><script type=\"module\" src=\"./assets/app.js\"></script>\n";
}

/// <summary>
/// The gateway as the local run starts it: the webapp from a folder, an admin password, the api-gateway and the
/// simulator behind it (test backends), no ActiveMQ console (its cluster unreachable).
/// </summary>
public sealed class LocalRunGateway : IAsyncLifetime
{
    public const string TileSources = "https://tiles.example.org https://*.tiles.example.net";

    internal Backend Api { get; private set; } = null!;

    internal Backend Simulator { get; private set; } = null!;

    public string WebappRoot { get; } = GatewayHost.CreateWebappFolder();

    /// <summary>The release this gateway is told it belongs to (<c>Gateway__Release</c>), different in every run.</summary>
    public string Release { get; } = "test-" + Guid.NewGuid().ToString("N")[..8];

    public ServiceProcess Gateway { get; private set; } = null!;

    public HttpClient Http => Gateway.Http;

    public async Task InitializeAsync()
    {
        Api = await Backend.StartAsync("api");
        Simulator = await Backend.StartAsync("simulator");
        var settings = GatewayHost.Settings();
        settings[GatewayHost.DestinationVariable("api-gateway")] = Api.Address;
        settings[GatewayHost.DestinationVariable("position-simulator")] = Simulator.Address;
        settings["Gateway__AdminPassword"] = GatewayHost.AdminPassword;
        settings["Gateway__MapTileSources"] = TileSources;
        settings["Webapp__Root"] = WebappRoot;
        settings["Gateway__Release"] = Release;
        // A route added by configuration alone, without an AuthorizationPolicy: being under /admin is enough.
        settings["ReverseProxy__Routes__admin-extra__ClusterId"] = "position-simulator";
        settings["ReverseProxy__Routes__admin-extra__Match__Path"] = "/admin/extra/{**rest}";
        Gateway = await GatewayHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Api.DisposeAsync();
        await Simulator.DisposeAsync();
        Directory.Delete(WebappRoot, recursive: true);
    }
}

/// <summary>The gateway as a deployment starts it before its admin password is set: the webapp in its own container.</summary>
public sealed class DeploymentGateway : IAsyncLifetime
{
    internal Backend Webapp { get; private set; } = null!;

    internal Backend Simulator { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public HttpClient Http => Gateway.Http;

    public async Task InitializeAsync()
    {
        Webapp = await Backend.StartAsync("webapp");
        Simulator = await Backend.StartAsync("simulator");
        var settings = GatewayHost.Settings();
        settings[GatewayHost.DestinationVariable("webapp")] = Webapp.Address;
        settings[GatewayHost.DestinationVariable("position-simulator")] = Simulator.Address;
        Gateway = await GatewayHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Webapp.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
