namespace Fleetman.Webapp.Tests.System;

/// <summary>
/// The whole running system for the browser: simulator (20 vehicles on built-in routes, reporting twice a second,
/// unless a derived fixture says otherwise), queue-consumer, position-tracker, api-gateway and the edge gateway serving
/// the built webapp, plus a browser context of its own in Debian's Chromium driven by Playwright (<see cref="SharedChromium"/>).
/// Screenshots go to .fleetman/test-artifacts/.
/// </summary>
public class LiveSystem : IAsyncLifetime
{
    public const int Vehicles = 20;

    private readonly int _reportIntervalMilliseconds;
    private Task<IBrowserContext>? _browserLaunching;

    public LiveSystem()
        : this(Vehicles, reportIntervalMilliseconds: 500)
    {
    }

    /// <summary>A system whose simulator starts with <paramref name="vehicles"/>, each reporting every <paramref name="reportIntervalMilliseconds"/>.</summary>
    protected LiveSystem(int vehicles, int reportIntervalMilliseconds)
    {
        FleetSize = vehicles;
        _reportIntervalMilliseconds = reportIntervalMilliseconds;
    }

    /// <summary>The vehicles the simulator starts with (the page has them all when <see cref="OpenMapAsync"/> returns).</summary>
    public int FleetSize { get; }

    /// <summary>The simulator's settings besides its fleet size, report interval and password: none, the built-in routes.</summary>
    protected virtual IReadOnlyDictionary<string, string?> SimulatorSettings { get; } = new Dictionary<string, string?>();

    /// <summary>The queue-consumer's settings: none, the defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ConsumerSettings { get; } = new Dictionary<string, string?>();

    public IsolatedRun Run { get; private set; } = null!;

    public ServiceProcess Consumer { get; private set; } = null!;

    public ServiceProcess ApiGateway { get; private set; } = null!;

    public ServiceProcess Edge { get; private set; } = null!;

    public ServiceProcess Simulator { get; private set; } = null!;

    /// <summary>The user <c>admin</c>'s password at the edge and the simulator.</summary>
    public string AdminPassword { get; } = Guid.NewGuid().ToString("N");

    public IBrowserContext Browser { get; private set; } = null!;

    /// <summary>The release the edge reports at <c>/version</c>: different in every run, so the page cannot have it from elsewhere.</summary>
    public string Release { get; } = "0-" + Guid.NewGuid().ToString("N")[..6];


    public static string Artifacts { get; } = Directory.CreateDirectory(Path.Combine(Repository.Root, ".fleetman", "test-artifacts")).FullName;

    public async Task InitializeAsync()
    {
        File.Exists(Path.Combine(Repository.Root, "webapp", "dist", "index.html")).ShouldBeTrue("the webapp is built (scripts/test.sh builds it)");
        Run = await IsolatedRun.StartAsync();
        // Side by side where nothing waits for another (each start takes seconds on a shared machine): the tracker,
        // the consumer, the simulator and the browser; the api-gateway needs the tracker, the edge both the api-gateway
        // and the simulator. Reports published before the consumer is ready wait in the run's queue.
        var browserLaunching = _browserLaunching = LaunchBrowserAsync();
        // The admin password at every service with admin routes, as every deployment gives it (the geofence API).
        var admin = new Dictionary<string, string?> { ["Admin__Password"] = AdminPassword };
        var trackerStarting = Run.StartTrackerAsync(admin);
        var consumerStarting = Run.StartConsumerAsync(ConsumerSettings);
        var simulatorStarting = Run.StartSimulatorAsync(new Dictionary<string, string?>(SimulatorSettings)
        {
            ["Simulator__Vehicles"] = FleetSize.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
            ["Simulator__ReportIntervalMilliseconds"] = _reportIntervalMilliseconds.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
            ["Admin__Password"] = AdminPassword,
        });
        ApiGateway = await Run.StartGatewayAsync(await trackerStarting, admin);
        Simulator = await simulatorStarting;
        Edge = await Run.StartEdgeAsync(ApiGateway, Simulator, AdminPassword,
            new Dictionary<string, string?> { ["Gateway__Release"] = Release });
        Consumer = await consumerStarting;
        Browser = await browserLaunching;
    }

    private static async Task<IBrowserContext> LaunchBrowserAsync()
    {
        var context = await SharedChromium.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 850 } });
        // No map tiles: there is no network here, and the map must work without them.
        await context.AddInitScriptAsync("window.FLEETMAN_CONFIG = { tileUrl: '' };");
        return context;
    }

    /// <summary>A fresh page on the live map, once the page has its first snapshot (of <see cref="FleetSize"/> vehicles).</summary>
    public async Task<IPage> OpenMapAsync()
    {
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(Edge.Http.BaseAddress!.ToString());
        try
        {
            await page.WaitForFunctionAsync($"() => window.fleetman?.ready() && window.fleetman.vehicleCount() === {FleetSize}", null, new() { Timeout = 60_000 });
        }
        catch (TimeoutException ex)
        {
            // What the page and the API had, so that a slow or stuck start says which part it was.
            var onPage = await page.EvaluateAsync<string>(
                "() => window.fleetman ? `ready ${window.fleetman.ready()}, vehicles ${window.fleetman.vehicleCount()}, connection ${window.fleetman.connectionState()}` : 'no window.fleetman'");
            var listed = await ApiGateway.GetJsonAsync<JsonElement[]>("/api/vehicles/");
            throw new TimeoutException($"the page did not come to {FleetSize} vehicles: {onPage}; the API lists {listed.Length}", ex);
        }

        return page;
    }

    /// <summary>
    /// Closes every page a test opened. A page left open goes on drawing the live map (every report moves a marker,
    /// refreshes the list and, with a vehicle selected, its trail) until the fixture ends: in the live map's class of
    /// fourteen tests, the last one ran beside every page the thirteen before it had left open.
    /// </summary>
    public async Task ClosePagesAsync()
    {
        foreach (var page in Browser.Pages.ToList())
        {
            await page.CloseAsync();
        }
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, name + ".png") });

    public async Task DisposeAsync()
    {
        // Given back even when a service did not start: the context was made meanwhile, and holds the shared browser.
        if (_browserLaunching is { IsCompletedSuccessfully: true })
        {
            await SharedChromium.ReleaseAsync(await _browserLaunching);
        }

        await Run.DisposeAsync();
    }
}
