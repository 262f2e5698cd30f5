namespace Fleetman.Gateway.Tests.Integration;

/// <summary>
/// A gateway hosted in the test process for the tests of a class, in front of the test backends its subclass puts
/// behind it; every other cluster unreachable.
/// </summary>
public abstract class GatewayFixture : IAsyncLifetime
{
    private readonly List<Backend> _backends = [];

    public InProcessService<GatewayOptions> Gateway { get; private set; } = null!;

    public HttpClient Http => Gateway.Http;

    public async Task InitializeAsync()
    {
        var settings = GatewayHost.Settings();
        await ConfigureAsync(settings);
        Gateway = await GatewayHost.StartAsync(settings);
    }

    /// <summary>The settings of this gateway, on top of <see cref="GatewayHost.Settings"/>.</summary>
    private protected abstract Task ConfigureAsync(Dictionary<string, string?> settings);

    /// <summary>Starts a backend named <paramref name="name"/> and makes it <paramref name="cluster"/>'s destination.</summary>
    private protected async Task AddBackendAsync(Dictionary<string, string?> settings, string cluster, string name)
    {
        var backend = await Backend.StartAsync(name);
        _backends.Add(backend);
        settings[GatewayHost.DestinationVariable(cluster)] = backend.Address;
    }

    public virtual async Task DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
    }
}

/// <summary>
/// The gateway as the local run starts it: the webapp from a folder, an admin password, the api-gateway and the
/// simulator behind it (test backends), no ActiveMQ console (its cluster unreachable).
/// </summary>
public sealed class LocalRunGateway : GatewayFixture
{
    public const string TileSources = "https://tiles.example.org https://*.tiles.example.net";

    public string WebappRoot { get; } = GatewayHost.CreateWebappFolder();

    /// <summary>The release this gateway is told it belongs to (<c>Gateway__Release</c>), different in every run.</summary>
    public string Release { get; } = "test-" + Guid.NewGuid().ToString("N")[..8];

    private protected override async Task ConfigureAsync(Dictionary<string, string?> settings)
    {
        await AddBackendAsync(settings, "api-gateway", "api");
        await AddBackendAsync(settings, "position-simulator", "simulator");
        settings["Gateway__AdminPassword"] = GatewayHost.AdminPassword;
        settings["Gateway__MapTileSources"] = TileSources;
        settings["Webapp__Root"] = WebappRoot;
        settings["Gateway__Release"] = Release;
        // A route added by configuration alone, without an AuthorizationPolicy: being under /admin is enough.
        settings["ReverseProxy__Routes__admin-extra__ClusterId"] = "position-simulator";
        settings["ReverseProxy__Routes__admin-extra__Match__Path"] = "/admin/extra/{**rest}";
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(WebappRoot, recursive: true);
    }
}

/// <summary>The gateway as a deployment starts it before its admin password is set: the webapp in its own container.</summary>
public sealed class DeploymentGateway : GatewayFixture
{
    private protected override async Task ConfigureAsync(Dictionary<string, string?> settings)
    {
        await AddBackendAsync(settings, "webapp", "webapp");
        await AddBackendAsync(settings, "position-simulator", "simulator");
    }
}
