namespace Fleetman.Webapp.Tests.System;

/// <summary>What a user sees on the live map, in Chromium, against the real running system.</summary>
public sealed class LiveMapTests(LiveSystem system) : IClassFixture<LiveSystem>, IAsyncLifetime
{
    private static readonly PageWaitForFunctionOptions Patience = new() { Timeout = 30_000 };

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Closes the pages this test opened (<see cref="LiveSystem.ClosePagesAsync"/>).</summary>
    public Task DisposeAsync() => system.ClosePagesAsync();

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
    public async Task The_fleet_is_drawn_without_the_hub_client_and_a_client_that_failed_to_load_shows_offline_and_loads_on_retry()
    {
        var page = await system.Browser.NewPageAsync();
        // The SignalR client is its own chunk (webapp/src/feed.ts), loaded after the first paint: refused here at first.
        var refused = true;
        DateTimeOffset? loadedAt = null;
        await page.RouteAsync("**/assets/hub-*.js", route =>
        {
            if (refused)
            {
                return route.AbortAsync("connectionrefused");
            }

            loadedAt ??= DateTimeOffset.UtcNow;
            return route.ContinueAsync();
        });

        await page.GotoAsync(system.Edge.Http.BaseAddress!.ToString());
        await page.WaitForFunctionAsync($"() => window.fleetman?.ready() && window.fleetman.vehicleCount() === {LiveSystem.Vehicles}", null, Patience);
        await page.WaitForFunctionAsync("() => window.fleetman.connectionState() === 'offline'", null, Patience);
        (await page.GetByTestId("connection-state").GetAttributeAsync("data-state")).ShouldBe("offline");
        // The page retries the load by itself after about 1, 2, 4 and 8 s (webapp/src/follow.ts retryDelay). Refused
        // until the countdown shows the fourth wait (6.4-9.6 s, so 6 s or more), the button is the retry that loads the
        // client, seconds before the page's own is due: sooner, the page's own retry could load it first and hide the
        // button under the click, as a busy machine showed.
        const string countdown = "Number(/retrying in (\\d+) s/.exec(document.querySelector('[data-testid=connection-state] .detail')?.textContent ?? '')?.[1] ?? 0)";
        await page.WaitForFunctionAsync($"() => {countdown} >= 6", null, Patience);
        // The countdown is refreshed every second and rounded up: the page's own retry is due after this at the earliest.
        var ownRetryNotBefore = DateTimeOffset.UtcNow.AddSeconds(await page.EvaluateAsync<int>($"() => {countdown}") - 2);

        refused = false;
        await page.GetByTestId("retry-now").ClickAsync();
        await page.WaitForFunctionAsync("() => window.fleetman.connectionState() === 'live'", null, Patience);
        loadedAt.ShouldNotBeNull();
        loadedAt.Value.ShouldBeLessThan(ownRetryNotBefore, "the button's retry loaded the client, not the page's own retry due later");
        var name = (await page.EvaluateAsync<string[]>("() => window.fleetman.vehicleNames()"))[0];
        var time = await page.EvaluateAsync<string>($"() => window.fleetman.positionOf({Js(name)}).time");
        await page.WaitForFunctionAsync($"() => window.fleetman.positionOf({Js(name)}).time !== {Js(time)}", null, Patience); // live updates
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
    public async Task Stopping_the_api_gateway_shows_reconnecting_without_a_console_error_and_starting_it_again_brings_the_map_back_live()
    {
        var page = await system.OpenMapAsync();
        var errors = ConsoleErrors(page);

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
        // A dropped connection is expected (the badge says so): the page prints no error for it. The browser's own
        // lines for the requests that failed meanwhile are not the page's to silence.
        errors.Where(e => !e.StartsWith("Failed to load resource", StringComparison.Ordinal) && !e.StartsWith("WebSocket connection to", StringComparison.Ordinal))
            .ShouldBeEmpty();
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
        var errors = ConsoleErrors(page);
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

        // Keep this machine's share of the edge's /api requests spent (the browser's address is the test's), so the
        // history request is refused with 429 until the load stops.
        var refused = 0;
        using var spending = new CancellationTokenSource();
        // Enough requesters that the tokens the edge adds every second are gone at once, on a busy machine too.
        var load = Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            while (!spending.IsCancellationRequested)
            {
                try
                {
                    using var response = await system.Edge.Http.GetAsync(new Uri("/api/vehicles/", UriKind.Relative), spending.Token);
                    if (response.StatusCode == global::System.Net.HttpStatusCode.TooManyRequests)
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }
        }));
        try
        {
            await Eventually.Until(() => Volatile.Read(ref refused) > 0, TimeSpan.FromSeconds(60), () => "the edge refused a request with 429");
            // The edge adds a few tokens every second, and a history request can win one of them on a busy machine:
            // vehicles are selected one after another until a history request is refused.
            var notice = page.GetByTestId("history-status");
            var rows = await page.EvaluateAsync<string[]>("() => window.fleetman.renderedRowNames()");
            var shown = false;
            foreach (var candidate in rows.Prepend(name).Distinct().Take(10))
            {
                await page.Locator($"[data-testid=vehicle-row][data-name={Js(candidate)}]").ClickAsync();
                try
                {
                    await notice.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 5_000 });
                    shown = true;
                    break;
                }
                catch (global::System.TimeoutException)
                {
                    // this vehicle's history got a token: the next one
                }
            }

            shown.ShouldBeTrue("one of ten history requests was refused while the edge's budget was being spent");
            (await notice.InnerTextAsync()).ShouldContain("HTTP 429");
            await LiveSystem.ScreenshotAsync(page, "history-refused");
        }
        finally
        {
            await spending.CancelAsync();
            await load;
        }

        var status = page.GetByTestId("history-status");
        // Retried after the edge's Retry-After: the whole history arrives and the notice goes.
        await status.WaitForAsync(new() { State = WaitForSelectorState.Hidden, Timeout = 60_000 });
        await page.WaitForFunctionAsync("() => window.fleetman.trailLength() >= 2", null, Patience);
    }

    [Fact]
    public async Task Arrow_keys_move_the_selection_through_the_list_and_the_focus_stays_on_the_selected_row()
    {
        var page = await system.OpenMapAsync();
        var names = await page.EvaluateAsync<string[]>("() => window.fleetman.renderedRowNames()");
        await page.Locator($"[data-testid=vehicle-row][data-name={Js(names[0])}] button").ClickAsync();
        await page.WaitForFunctionAsync($"() => window.fleetman.selected() === {Js(names[0])}", null, Patience);

        for (var i = 1; i <= 3; i++)
        {
            await page.Keyboard.PressAsync("ArrowDown");
            await page.WaitForFunctionAsync($"() => window.fleetman.selected() === {Js(names[i])}", null, Patience);
            (await page.EvaluateAsync<string?>("() => document.activeElement?.closest('tr')?.dataset.name ?? null")).ShouldBe(names[i]);
        }

        await page.Keyboard.PressAsync("ArrowUp");
        await page.WaitForFunctionAsync($"() => window.fleetman.selected() === {Js(names[2])}", null, Patience);
        (await page.EvaluateAsync<string?>("() => document.activeElement?.closest('tr')?.dataset.name ?? null")).ShouldBe(names[2]);
    }

    [Fact]
    public async Task The_list_sorted_by_speed_does_not_reorder_under_the_pointer()
    {
        var page = await system.OpenMapAsync();
        await page.GetByTestId("sort-speed").ClickAsync();
        var first = page.GetByTestId("vehicle-row").First;
        await first.HoverAsync();
        var order = await page.EvaluateAsync<string[]>("() => window.fleetman.renderedRowNames()");

        // Several seconds of new reports (speeds change with every one) while the pointer stays on the list.
        var name = order[0];
        var since = await page.EvaluateAsync<string>($"() => window.fleetman.positionOf({Js(name)}).time");
        await page.WaitForFunctionAsync($"() => Date.parse(window.fleetman.positionOf({Js(name)}).time) > Date.parse({Js(since)}) + 5000", null, Patience);

        (await page.EvaluateAsync<string[]>("() => window.fleetman.renderedRowNames()")).ShouldBe(order);
    }

    [Fact]
    public async Task Text_on_the_page_has_at_least_AA_contrast_against_its_background()
    {
        var page = await system.OpenMapAsync();
        await page.Locator("[data-testid=vehicle-row]").Nth(1).ClickAsync();
        await page.GetByTestId("selection").WaitForAsync();
        var point = await page.EvaluateAsync<global::System.Text.Json.JsonElement>("() => window.fleetman.screenPointOf(window.fleetman.vehicleNames()[0])");
        await page.Mouse.MoveAsync(point.GetProperty("x").GetSingle(), point.GetProperty("y").GetSingle());

        var pairs = (await page.EvaluateAsync<global::System.Text.Json.JsonElement>(ContrastScript)).EnumerateArray()
            .Select(p => (What: p.GetProperty("what").GetString(), Ratio: p.GetProperty("ratio").GetDouble())).ToList();

        pairs.Count.ShouldBeGreaterThan(15);
        pairs.Where(p => p.Ratio < 4.5).Select(p => $"{p.What}: {p.Ratio:0.00}").ShouldBeEmpty();

        // The replay control's form, opened over the map.
        await page.GetByTestId("replay-open").ClickAsync();
        await page.GetByTestId("replay-setup").WaitForAsync();
        var replay = (await page.EvaluateAsync<global::System.Text.Json.JsonElement>(ContrastScript)).EnumerateArray()
            .Select(p => (What: p.GetProperty("what").GetString(), Ratio: p.GetProperty("ratio").GetDouble())).ToList();
        replay.ShouldContain(p => p.What == ".replay-row label");
        replay.Where(p => p.Ratio < 4.5).Select(p => $"{p.What}: {p.Ratio:0.00}").ShouldBeEmpty();
    }

    [Fact]
    public async Task On_a_phone_the_list_is_a_bottom_sheet_with_rows_beside_the_selected_vehicle_and_44_px_tap_targets()
    {
        var page = await system.OpenMapAsync();
        await page.SetViewportSizeAsync(390, 844);
        var name = (await page.EvaluateAsync<string[]>("() => window.fleetman.vehicleNames()"))[0];
        await page.EvaluateAsync($"() => window.fleetman.select({Js(name)})");
        await page.GetByTestId("selected-name").Filter(new() { HasText = name }).WaitForAsync();

        var layout = await page.EvaluateAsync<global::System.Text.Json.JsonElement>(
            """
            () => {
              const sheet = document.querySelector(".side").getBoundingClientRect();
              const list = document.querySelector("[data-testid=vehicle-list]").getBoundingClientRect();
              const rows = [...document.querySelectorAll("[data-testid=vehicle-row]")]
                .filter((r) => { const b = r.getBoundingClientRect(); return b.top >= list.top && b.bottom <= list.bottom + 1; }).length;
              const small = [...document.querySelectorAll("button, input, select, .leaflet-control-zoom a")]
                .map((e) => e.type === "checkbox" ? e.closest("label") ?? e : e)
                .filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden")
                .map((e) => [e.dataset?.testid || e.className || e.tagName, e.getBoundingClientRect()])
                .filter(([, b]) => b.bottom > 0 && b.top < innerHeight && (b.width < 44 || b.height < 44))
                .map(([what, b]) => `${what} ${Math.round(b.width)}x${Math.round(b.height)}`);
              return { sheetTop: sheet.top, sheetBottom: sheet.bottom, rows, small };
            }
            """);

        layout.GetProperty("sheetTop").GetDouble().ShouldBeGreaterThan(844 / 3.0);
        layout.GetProperty("sheetBottom").GetDouble().ShouldBe(844, 1);
        layout.GetProperty("rows").GetInt32().ShouldBeGreaterThanOrEqualTo(3);
        layout.GetProperty("small").EnumerateArray().Select(e => e.GetString()).ShouldBeEmpty();
        await LiveSystem.ScreenshotAsync(page, "phone-390x844");
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

    /// <summary>Text and its background as the browser computes them (transparent backgrounds composited up the tree).</summary>
    private const string ContrastScript =
        """
        () => {
          const parse = (c) => { const p = c.match(/[\d.]+/g).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
          const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3])).concat(1);
          const backgroundOf = (el) => {
            const layers = [];
            for (let e = el; e !== null; e = e.parentElement) {
              const c = parse(getComputedStyle(e).backgroundColor);
              if (c[3] > 0) layers.push(c);
              if (c[3] === 1) break;
            }
            return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
          };
          const lum = (c) => c.slice(0, 3).map((v) => v / 255).map((v) => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
          const ratio = (fg, bg) => { const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x); return (a + 0.05) / (b + 0.05); };
          const pairs = [];
          const selectors = ["header h1", ".release", ".connection .text", "#vehicles-heading", "[data-testid=vehicle-count]",
            "#vehicle-search", ".fleet-counts li", ".fleet-counts [data-testid]", ".show-stale", "button.sort",
            "[data-testid=vehicle-row] button", "[data-testid=vehicle-row] time", "[data-testid=vehicle-row] td.num",
            "tr.selected button", "[data-testid=selected-name]", ".facts dt", ".facts dd", "button.toggle", "button.icon",
            ".vehicle-card strong", ".vehicle-card dt", ".vehicle-card dd", ".leaflet-control-attribution", ".leaflet-control-scale-line",
            ".vehicle-label", ".no-matches", ".load-problem", "tr.stale", ".events h2", "button.event", ".event time", ".event-empty",
            ".replay-control button.toggle", ".replay-title", ".replay-row label", ".replay-row select", ".replay-row input"];
          for (const selector of selectors) {
            for (const el of [...document.querySelectorAll(selector)].filter((e) => e.getClientRects().length > 0).slice(0, 3)) {
              const bg = backgroundOf(el);
              pairs.push({ what: selector, ratio: ratio(over(parse(getComputedStyle(el).color), bg), bg) });
            }
          }
          const search = document.querySelector("#vehicle-search");
          pairs.push({ what: "search placeholder", ratio: ratio(over(parse(getComputedStyle(search, "::placeholder").color), backgroundOf(search)), backgroundOf(search)) });
          // Stale rows may not be on the page now: their colour against the rows' backgrounds, plain and selected.
          const stale = document.createElement("span");
          stale.style.color = "var(--stale)";
          document.body.append(stale);
          const staleColour = parse(getComputedStyle(stale).color);
          stale.remove();
          const row = document.querySelector("[data-testid=vehicle-row]:not(.selected)");
          const selected = document.querySelector("tr.selected");
          for (const [what, el] of [["stale row", row], ["stale selected row", selected]]) {
            if (el !== null) pairs.push({ what, ratio: ratio(over(staleColour, backgroundOf(el)), backgroundOf(el)) });
          }
          return pairs;
        }
        """;

    /// <summary>The console errors the page prints from now on.</summary>
    private static global::System.Collections.Concurrent.ConcurrentQueue<string> ConsoleErrors(IPage page)
    {
        var errors = new global::System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Enqueue(message.Text);
            }
        };
        return errors;
    }

    private static string Js(string value) => global::System.Text.Json.JsonSerializer.Serialize(value);
}
