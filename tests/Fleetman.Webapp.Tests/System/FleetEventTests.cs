using Microsoft.Playwright;

namespace Fleetman.Webapp.Tests.System;

/// <summary>
/// The running system with a crafted situation: a speed limit of 5 km/h that every driving vehicle exceeds, and a
/// geofence around the simulator's whole town that every vehicle's first report is inside.
/// </summary>
public sealed class FleetEventSystem : LiveSystem
{
    protected override IReadOnlyDictionary<string, string?> ConsumerSettings { get; } = new Dictionary<string, string?>
    {
        ["Events__SpeedLimitKph"] = "5",
        ["Events__SpeedMarginKph"] = "1",
        ["Events__Geofences__0__Name"] = "Town",
        ["Events__Geofences__0__Ring__0__0"] = "53.2",
        ["Events__Geofences__0__Ring__0__1"] = "-1.7",
        ["Events__Geofences__0__Ring__1__0"] = "53.2",
        ["Events__Geofences__0__Ring__1__1"] = "-1.3",
        ["Events__Geofences__0__Ring__2__0"] = "53.55",
        ["Events__Geofences__0__Ring__2__1"] = "-1.3",
        ["Events__Geofences__0__Ring__3__0"] = "53.55",
        ["Events__Geofences__0__Ring__3__1"] = "-1.7",
    };
}

/// <summary>The live event feed in Chromium against the real running system.</summary>
public sealed class FleetEventTests(FleetEventSystem system) : IClassFixture<FleetEventSystem>
{
    private static readonly PageWaitForFunctionOptions Patience = new() { Timeout = 60_000 };

    [Fact]
    public async Task Overspeed_and_geofence_events_show_in_the_feed_are_counted_and_a_click_selects_the_vehicle()
    {
        var page = await system.OpenMapAsync();

        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=fleet-event][data-kind=overspeed_started]') !== null", null, Patience);
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=fleet-event][data-kind=geofence_entered]') !== null", null, Patience);
        var entered = page.Locator("[data-testid=fleet-event][data-kind=geofence_entered]").First;
        (await entered.InnerTextAsync()).ShouldContain("Entered Town");
        var overspeed = page.Locator("[data-testid=fleet-event][data-kind=overspeed_started]").First;
        (await overspeed.InnerTextAsync()).ShouldContain("(limit 3 mph)"); // 5 km/h, in the page's unit
        var metrics = await system.Consumer.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        metrics.ShouldContain("fleetman_fleet_events_total{kind=\"overspeed_started\"");
        metrics.ShouldContain("fleetman_fleet_events_total{kind=\"geofence_entered\"");
        await LiveSystem.ScreenshotAsync(page, "fleet-events");

        var vehicle = (await overspeed.GetAttributeAsync("data-vehicle"))!;
        await overspeed.ClickAsync();

        var name = global::System.Text.Json.JsonSerializer.Serialize(vehicle);
        await page.WaitForFunctionAsync($"() => window.fleetman.selected() === {name}", null, Patience);
        (await page.GetByTestId("selected-name").InnerTextAsync()).ShouldBe(vehicle);
    }
}
