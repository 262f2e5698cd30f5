using Fleetman.Testing;
using Microsoft.Playwright;

namespace Fleetman.Webapp.Tests.System;

/// <summary>What a user sees on the live map, in Chromium, against the real running system.</summary>
public sealed class LiveMapTests(LiveSystem system) : IClassFixture<LiveSystem>
{
    private static readonly PageWaitForFunctionOptions Patience = new() { Timeout = 30_000 };

    [Fact]
    public async Task Markers_appear_for_every_vehicle_and_move_and_the_list_fills()
    {
        var page = await system.OpenMapAsync();

        // The first paint can come from the REST list before the hub has finished connecting: wait for it, then check.
        await page.WaitForFunctionAsync("() => window.fleetman.connectionState() === 'live'", null, Patience);
        (await page.EvaluateAsync<string>("() => window.fleetman.connectionState()")).ShouldBe("live");
        var name = (await page.EvaluateAsync<string[]>("() => window.fleetman.vehicleNames()"))[0];
        var first = await page.EvaluateAsync<double[]>($"() => {{ const p = window.fleetman.positionOf({Js(name)}); return [p.lat, p.lng]; }}");
        await page.WaitForFunctionAsync(
            $"() => {{ const p = window.fleetman.positionOf({Js(name)}); return p.lat !== {first[0]} || p.lng !== {first[1]}; }}", null, Patience);
        await page.GetByTestId("vehicle-row").First.WaitForAsync();
        (await page.GetByTestId("vehicle-row").CountAsync()).ShouldBe(LiveSystem.Vehicles);
        (await page.GetByTestId("vehicle-count").InnerTextAsync()).ShouldContain(LiveSystem.Vehicles.ToString(global::System.Globalization.CultureInfo.InvariantCulture));
        await LiveSystem.ScreenshotAsync(page, "live-map");
    }

    [Fact]
    public async Task Selecting_a_vehicle_in_the_list_follows_it_and_draws_its_history_trail()
    {
        var page = await system.OpenMapAsync();
        var name = (await page.EvaluateAsync<string[]>("() => window.fleetman.vehicleNames()"))[^1];

        await page.Locator($"[data-testid=vehicle-row][data-name={Js(name)}]").ClickAsync();

        await page.WaitForFunctionAsync($"() => window.fleetman.selected() === {Js(name)} && window.fleetman.trailLength() >= 2", null, Patience);
        await page.WaitForFunctionAsync($"() => window.fleetman.hubFollowing() === {Js(name)}", null, Patience);
        (await page.GetByTestId("selected-name").InnerTextAsync()).ShouldBe(name);
        var trail = await page.EvaluateAsync<int>("() => window.fleetman.trailLength()");
        await page.WaitForFunctionAsync($"() => window.fleetman.trailLength() > {trail}", null, Patience); // extended live
        await LiveSystem.ScreenshotAsync(page, "selected-vehicle-trail");
    }

    [Fact]
    public async Task Stopping_the_api_gateway_shows_reconnecting_and_starting_it_again_brings_the_map_back_live()
    {
        var page = await system.OpenMapAsync();

        await system.ApiGateway.StopAsync();
        await page.WaitForFunctionAsync("() => ['reconnecting', 'offline'].includes(window.fleetman.connectionState())", null, Patience);
        var shown = await page.GetByTestId("connection-state").GetAttributeAsync("data-state");
        shown.ShouldBeOneOf("reconnecting", "offline");
        await LiveSystem.ScreenshotAsync(page, "api-gateway-down");

        await system.ApiGateway.StartAsync(TimeSpan.FromSeconds(30));
        await page.WaitForFunctionAsync("() => window.fleetman.connectionState() === 'live'", null, new() { Timeout = 60_000 });
        var name = (await page.EvaluateAsync<string[]>("() => window.fleetman.vehicleNames()"))[0];
        var time = await page.EvaluateAsync<string>($"() => window.fleetman.positionOf({Js(name)}).time");
        await page.WaitForFunctionAsync($"() => window.fleetman.positionOf({Js(name)}).time !== {Js(time)}", null, Patience);
        await LiveSystem.ScreenshotAsync(page, "api-gateway-back");
    }

    [Fact]
    public async Task Going_offline_shows_offline_within_five_seconds_and_coming_back_shows_live_again()
    {
        var page = await system.OpenMapAsync();
        await page.WaitForFunctionAsync("() => window.fleetman.connectionState() === 'live'", null, Patience);

        try
        {
            await system.Browser.SetOfflineAsync(true);
            await page.WaitForFunctionAsync("() => ['offline', 'reconnecting'].includes(window.fleetman.connectionState())", null, new() { Timeout = 5_000 });
            (await page.GetByTestId("connection-state").GetAttributeAsync("data-state")).ShouldBeOneOf("offline", "reconnecting");
            await LiveSystem.ScreenshotAsync(page, "browser-offline");
        }
        finally
        {
            await system.Browser.SetOfflineAsync(false);
        }

        await page.WaitForFunctionAsync("() => window.fleetman.connectionState() === 'live'", null, Patience);
        var name = (await page.EvaluateAsync<string[]>("() => window.fleetman.vehicleNames()"))[0];
        var time = await page.EvaluateAsync<string>($"() => window.fleetman.positionOf({Js(name)}).time");
        await page.WaitForFunctionAsync($"() => window.fleetman.positionOf({Js(name)}).time !== {Js(time)}", null, Patience);
        (await page.GetByTestId("connection-state").GetAttributeAsync("data-state")).ShouldBe("live");
    }

    [Fact]
    public async Task A_link_to_a_vehicle_selects_it_and_flies_to_it_and_back_and_forward_go_through_the_selections()
    {
        var names = await (await system.OpenMapAsync()).EvaluateAsync<string[]>("() => window.fleetman.vehicleNames()");
        var (linked, other) = (names[0], names[^1]);
        var page = await system.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(system.Edge.Http.BaseAddress!, "/?vehicle=" + Uri.EscapeDataString(linked)).ToString());

        await page.WaitForFunctionAsync($"() => window.fleetman?.ready() && window.fleetman.selected() === {Js(linked)}", null, Patience);
        (await page.GetByTestId("selected-name").InnerTextAsync()).ShouldBe(linked);
        // Flown to: the map ends centred close to the vehicle (it moves on while the map flies).
        await page.WaitForFunctionAsync(
            $$"""
            () => {
              const v = window.fleetman.mapView(), p = window.fleetman.positionOf({{Js(linked)}});
              return v.zoom >= window.fleetman.config().selectZoom && Math.abs(v.lat - p.lat) < 0.01 && Math.abs(v.lng - p.lng) < 0.01;
            }
            """, null, Patience);

        await page.Locator($"[data-testid=vehicle-row][data-name={Js(other)}]").ClickAsync();
        await page.WaitForFunctionAsync($"() => window.fleetman.selected() === {Js(other)}", null, Patience);
        (await page.EvaluateAsync<string>("() => new URL(location.href).searchParams.get('vehicle')")).ShouldBe(other);

        await page.GoBackAsync();
        await page.WaitForFunctionAsync($"() => window.fleetman.selected() === {Js(linked)}", null, Patience);
        await page.GoForwardAsync();
        await page.WaitForFunctionAsync($"() => window.fleetman.selected() === {Js(other)}", null, Patience);

        await system.Browser.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = system.Edge.Http.BaseAddress!.GetLeftPart(UriPartial.Authority) });
        await page.GetByTestId("copy-link").ClickAsync();
        await page.GetByTestId("copy-status").Filter(new() { HasText = "Link copied" }).WaitForAsync();
        (await page.EvaluateAsync<string>("() => navigator.clipboard.readText()")).ShouldBe(page.Url);
        await LiveSystem.ScreenshotAsync(page, "deep-link");
    }

    [Fact]
    public async Task Hovering_a_marker_shows_a_card_with_its_name_speed_heading_and_last_seen()
    {
        var page = await system.OpenMapAsync();
        // A vehicle with no other marker within 24 px, so the pointer is over its marker alone.
        var name = await page.EvaluateAsync<string?>(
            """
            () => {
              const f = window.fleetman, points = f.vehicleNames().map((n) => [n, f.screenPointOf(n)]);
              const alone = points.find(([n, p]) => points.every(([m, q]) => m === n || Math.hypot(p.x - q.x, p.y - q.y) > 24));
              return alone === undefined ? null : alone[0];
            }
            """);
        name.ShouldNotBeNull();
        await page.WaitForFunctionAsync($"() => window.fleetman.positionOf({Js(name)}).speed !== null", null, Patience);

        var at = await page.EvaluateAsync<global::System.Text.Json.JsonElement>($"() => window.fleetman.screenPointOf({Js(name)})");
        await page.Mouse.MoveAsync(at.GetProperty("x").GetSingle(), at.GetProperty("y").GetSingle());

        var card = page.GetByTestId("vehicle-card");
        await card.WaitForAsync(new() { Timeout = 10_000 });
        (await page.EvaluateAsync<string>("() => window.fleetman.cardOf()")).ShouldBe(name);
        var text = await card.InnerTextAsync();
        text.ShouldContain(name);
        text.ShouldContain("Speed");
        text.ShouldContain("Heading");
        text.ShouldContain("Last seen");
        await LiveSystem.ScreenshotAsync(page, "marker-card");
    }

    [Fact]
    public async Task With_the_tile_servers_unreachable_the_map_draws_the_offline_streets_without_console_errors_or_their_attribution()
    {
        var page = await system.Browser.NewPageAsync();
        var errors = new global::System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Enqueue(message.Text);
            }
        };
        // The shipped configuration's tiles, on a network that cannot reach them (a demo room, a cluster without egress).
        await page.AddInitScriptAsync("window.FLEETMAN_CONFIG = { tileUrl: 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png' };");
        await page.RouteAsync("https://*.tile.openstreetmap.org/**", route => route.AbortAsync("connectionrefused"));

        await page.GotoAsync(system.Edge.Http.BaseAddress!.ToString());
        await page.WaitForFunctionAsync($"() => window.fleetman?.ready() && window.fleetman.vehicleCount() === {LiveSystem.Vehicles}", null, Patience);
        await page.WaitForFunctionAsync("() => window.fleetman.basemap() === 'streets'", null, Patience);

        (await page.EvaluateAsync<int>("() => window.fleetman.streetLines()")).ShouldBeGreaterThan(0);
        (await page.EvaluateAsync<string>("() => window.fleetman.attribution()")).ShouldNotContain("OpenStreetMap");
        // One tile was tried (the browser reports its failure itself); nothing else complained.
        errors.Where(e => !e.StartsWith("Failed to load resource", StringComparison.Ordinal)).ShouldBeEmpty();
        errors.Count.ShouldBeLessThanOrEqualTo(1);
        await LiveSystem.ScreenshotAsync(page, "offline-streets");
    }

    [Fact]
    public async Task A_history_refused_by_the_edges_rate_limit_says_so_in_the_panel_and_is_loaded_when_retried()
    {
        var page = await system.OpenMapAsync();
        var name = (await page.EvaluateAsync<string[]>("() => window.fleetman.vehicleNames()"))[0];

        // Spend this browser's share of the edge's /api requests, so the history request is refused with 429.
        var refused = await page.EvaluateAsync<int>(
            "async () => (await Promise.all(Array.from({ length: 400 }, () => fetch('/api/vehicles/', { cache: 'no-store' }).then((r) => r.status)))).filter((s) => s === 429).length");
        refused.ShouldBeGreaterThan(0);
        await page.Locator($"[data-testid=vehicle-row][data-name={Js(name)}]").ClickAsync();

        var status = page.GetByTestId("history-status");
        await status.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 10_000 });
        (await status.InnerTextAsync()).ShouldContain("HTTP 429");
        await LiveSystem.ScreenshotAsync(page, "history-refused");

        // Retried after the edge's Retry-After: the whole history arrives and the notice goes.
        await status.WaitForAsync(new() { State = WaitForSelectorState.Hidden, Timeout = 60_000 });
        await page.WaitForFunctionAsync("() => window.fleetman.trailLength() >= 2", null, Patience);
    }

    [Fact]
    public async Task The_header_shows_the_release_the_edge_reports()
    {
        var page = await system.OpenMapAsync();

        var release = page.GetByTestId("release");
        await release.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 10_000 });
        (await release.InnerTextAsync()).ShouldBe($"release {system.Release}");
        var reported = await system.Edge.Http.GetStringAsync(new Uri("/version", UriKind.Relative));
        reported.ShouldContain($"\"release\":\"{system.Release}\"");
        await LiveSystem.ScreenshotAsync(page, "header-release");
    }

    private static string Js(string value) => global::System.Text.Json.JsonSerializer.Serialize(value);
}
