using Fleetman.Testing;

namespace Fleetman.Gateway.Tests.Integration;

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

    public InProcessService<GatewayOptions> Gateway { get; private set; } = null!;

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

    public InProcessService<GatewayOptions> Gateway { get; private set; } = null!;

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
