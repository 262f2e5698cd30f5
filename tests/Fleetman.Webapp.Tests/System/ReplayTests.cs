namespace Fleetman.Webapp.Tests.System;

/// <summary>The whole running system with the simulator driving the original Fleetman's 38 recorded tracks (<c>../shared/reference-tracks</c>).</summary>
public sealed class ReferenceTrackSystem() : LiveSystem(vehicles: 38, reportIntervalMilliseconds: 500)
{
    public static string Tracks { get; } = Path.GetFullPath(Path.Combine(Repository.Root, "..", "shared", "reference-tracks"));

    protected override IReadOnlyDictionary<string, string?> SimulatorSettings { get; } = new Dictionary<string, string?>
    {
        ["Simulator__Source"] = "Tracks",
        ["Simulator__TracksPath"] = Tracks,
    };
}

/// <summary>Replay on the live map, in Chromium, of what the real system stored.</summary>
public sealed class ReplayTests(ReferenceTrackSystem system) : IClassFixture<ReferenceTrackSystem>, IAsyncLifetime
{
    private static readonly PageWaitForFunctionOptions Patience = new() { Timeout = 30_000 };

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Closes the pages this test opened (<see cref="LiveSystem.ClosePagesAsync"/>).</summary>
    public Task DisposeAsync() => system.ClosePagesAsync();

    private sealed record Stored(string? Name, double Lat, double Lng, DateTimeOffset Time);

    [Fact]
    public async Task Replaying_a_stored_reference_track_at_60x_passes_through_its_stored_positions_and_back_to_live_shows_the_fleet_as_it_is_now()
    {
        var page = await system.OpenMapAsync();

        // 15 s of the fleet driving its recorded tracks, stored (a window of whole seconds, as the inputs take): about 30
        // reports of every vehicle, and a quarter of a second of play at 60x. The test waits for the window to pass.
        var window = TimeSpan.FromSeconds(15);
        var from = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 2);
        if (from.Second == 0 || (from + window).Second == 0)
        {
            from = from.AddSeconds(1); // Chromium writes a whole minute without its seconds, which the inputs would not echo back
        }

        var to = from + window;
        // Stored once the page has live reports from after the window (what reaches the hub was stored first).
        await page.WaitForFunctionAsync(
            $"() => window.fleetman.vehicleNames().every((n) => Date.parse(window.fleetman.positionOf(n).time) > {to.AddSeconds(1).ToUnixTimeMilliseconds()})",
            null, new() { Timeout = 90_000 });
        var fleet = await GetAsync($"/api/history?from={Iso(from)}&to={Iso(to)}&limit=10000");
        // The vehicle that drove furthest in the window: its marker has somewhere to go.
        var name = fleet.GroupBy(p => p.Name!).MaxBy(g => Metres(g.First(), g.Last()))!.Key;
        // Its stored reports, from the one before the window (where it is at the window's start) on.
        var track = await GetAsync($"/api/vehicles/{Uri.EscapeDataString(name)}/history?from={Iso(from.AddSeconds(-5))}&to={Iso(to)}&limit=1000");
        track.Count(p => p.Time >= from).ShouldBeGreaterThan(20, $"{name} reported every 500 ms in the window");
        Metres(track[0], track[^1]).ShouldBeGreaterThan(20, $"{name} moved in the window");

        await page.EvaluateAsync($"() => window.fleetman.select({Js(name)})");
        await page.GetByTestId("replay-open").ClickAsync();
        await page.GetByTestId("replay-scope").SelectOptionAsync("fleet");
        await page.GetByTestId("replay-from").FillAsync(await LocalInputAsync(page, from));
        await page.GetByTestId("replay-to").FillAsync(await LocalInputAsync(page, to));
        // Every frame drawn while the replay plays: which play it belongs to, the play head, where the vehicle's replay
        // marker is at it, the scrubber. How many frames one play of a quarter of a second gets is the machine's (Chromium
        // draws fewer under load), so the window is played again from its start until enough frames were drawn.
        await page.EvaluateAsync(
            $$"""
            () => {
              window.replaySamples = [];
              window.replayPlay = 0;
              window.replayRecording = true;
              const record = () => {
                const r = window.fleetman.replay();
                const at = window.fleetman.replayPositionOf({{Js(name)}});
                const scrubber = document.querySelector("[data-testid=replay-scrubber]");
                if (r !== null && r.playing && at !== null) window.replaySamples.push({ play: window.replayPlay, head: r.head, lat: at.lat, lng: at.lng, scrubber: Number(scrubber.value) });
                if (window.replayRecording) requestAnimationFrame(record);
              };
              requestAnimationFrame(record);
            }
            """);
        await page.GetByTestId("replay-start").ClickAsync();
        await page.GetByTestId("replay-speed").SelectOptionAsync("60");
        const int FramesWanted = 8;
        for (var play = 0; ; play++)
        {
            // The page reads through the edge and tries a refused request again after its Retry-After: more patience.
            await page.WaitForFunctionAsync($"() => {{ const r = window.fleetman.replay(); return r !== null && !r.playing && r.head === {Js(Iso(to))}; }}", null, new() { Timeout = 90_000 });
            if (play == 20 || await page.EvaluateAsync<int>("() => window.replaySamples.length") >= FramesWanted)
            {
                break;
            }

            await page.EvaluateAsync($"() => {{ window.replayPlay = {play + 1}; window.fleetman.replaySeek({Js(Iso(from))}); }}");
            await page.WaitForFunctionAsync($"() => window.fleetman.replay().head === {Js(Iso(from))}", null, Patience);
            await page.GetByTestId("replay-play").ClickAsync();
        }

        await page.EvaluateAsync("() => { window.replayRecording = false; }");
        (await page.GetByTestId("connection-state").GetAttributeAsync("data-state")).ShouldBe("replay");
        (await page.GetByTestId("connection-state").InnerTextAsync()).ShouldContain("Replay");
        var samples = (await page.EvaluateAsync<JsonElement>("() => window.replaySamples")).EnumerateArray()
            .Select(s => (Play: s.GetProperty("play").GetInt32(), Head: DateTimeOffset.Parse(s.GetProperty("head").GetString()!, CultureInfo.InvariantCulture),
                Lat: s.GetProperty("lat").GetDouble(), Lng: s.GetProperty("lng").GetDouble(), Scrubber: s.GetProperty("scrubber").GetDouble()))
            .ToList();
        samples.Count.ShouldBeGreaterThanOrEqualTo(FramesWanted, "frames drawn while the replay played (in up to 21 plays of the window)");
        foreach (var play in samples.GroupBy(s => s.Play))
        {
            play.Select(s => s.Head).ShouldBeInOrder(SortDirection.Ascending, $"the play head only moves forward in play {play.Key}");
        }

        foreach (var (_, head, _, _, scrubber) in samples)
        {
            // The scrubber's step is a second, from the window's start (a whole second): it shows the play head's nearest second.
            Math.Abs(scrubber - head.ToUnixTimeMilliseconds()).ShouldBeLessThanOrEqualTo(500, $"the scrubber follows the play head at {Iso(head)}");
        }

        // Every frame drew the marker on the stored track, between the reports before and after the play head.
        foreach (var (_, head, lat, lng, _) in samples)
        {
            var before = track.Last(p => p.Time <= head);
            var after = track.FirstOrDefault(p => p.Time > head) ?? before;
            DistanceToSegment(lat, lng, before, after).ShouldBeLessThan(0.5, $"the marker at {Iso(head)} is on the stored track between {Iso(before.Time)} and {Iso(after.Time)}");
        }

        // At any stored report's time the marker is exactly where the store has the vehicle.
        var inWindow = track.Where(p => p.Time >= from).ToArray();
        foreach (var point in new[] { inWindow[0], inWindow[inWindow.Length / 3], inWindow[2 * inWindow.Length / 3], inWindow[^1] })
        {
            await page.EvaluateAsync($"() => window.fleetman.replaySeek({Js(Iso(point.Time))})");
            await page.WaitForFunctionAsync($"() => window.fleetman.replay().head === {Js(Iso(point.Time))}", null, Patience);
            var at = await page.EvaluateAsync<JsonElement>($"() => window.fleetman.replayPositionOf({Js(name)})");
            at.GetProperty("lat").GetDouble().ShouldBe(point.Lat, 1e-9);
            at.GetProperty("lng").GetDouble().ShouldBe(point.Lng, 1e-9);
        }

        // Live reports go on arriving, and the live marker does not move while the replay is shown.
        var live = await page.EvaluateAsync<JsonElement>($"() => [window.fleetman.positionOf({Js(name)}).time, window.fleetman.displayedPositionOf({Js(name)})]");
        await page.WaitForFunctionAsync($"() => window.fleetman.positionOf({Js(name)}).time !== {Js(live[0].GetString()!)}", null, Patience);
        (await page.EvaluateAsync<JsonElement>($"() => window.fleetman.displayedPositionOf({Js(name)})")).ToString().ShouldBe(live[1].ToString());
        (await page.GetByTestId("connection-state").GetAttributeAsync("data-connection")).ShouldBe("live");
        await LiveSystem.ScreenshotAsync(page, "replay");

        await page.GetByTestId("replay-live").ClickAsync();
        await page.WaitForFunctionAsync("() => window.fleetman.replay() === null && window.fleetman.connectionState() === 'live'", null, Patience);
        (await page.GetByTestId("connection-state").GetAttributeAsync("data-state")).ShouldBe("live");
        (await page.EvaluateAsync<JsonElement>($"() => window.fleetman.replayPositionOf({Js(name)})")).ValueKind.ShouldBe(JsonValueKind.Null);
        // The marker is the live one again, at (or moving to) the vehicle's newest report, well after the window.
        await page.WaitForFunctionAsync(
            $$"""
            () => {
              const p = window.fleetman.positionOf({{Js(name)}}), d = window.fleetman.displayedPositionOf({{Js(name)}});
              return Date.parse(p.time) > Date.parse({{Js(Iso(to))}}) && Math.abs(p.lat - d.lat) < 0.0005 && Math.abs(p.lng - d.lng) < 0.0005;
            }
            """, null, Patience);
        (await page.GetByTestId("replay-open").IsVisibleAsync()).ShouldBeTrue();
    }

    [Fact]
    public async Task A_link_naming_a_replay_window_opens_the_map_replaying_it_and_back_to_live_drops_it_from_the_address()
    {
        await system.OpenMapAsync();
        var to = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var from = to.AddMinutes(-1);
        var page = await system.Browser.NewPageAsync();

        await page.GotoAsync(new Uri(system.Edge.Http.BaseAddress!, $"/?replay={Iso(from)},{Iso(to)}").ToString());

        await page.WaitForFunctionAsync("() => window.fleetman?.ready() && window.fleetman.replay() !== null", null, Patience);
        var replay = await page.EvaluateAsync<JsonElement>("() => window.fleetman.replay()");
        (replay.GetProperty("from").GetString(), replay.GetProperty("to").GetString()).ShouldBe((Iso(from), Iso(to)));
        replay.GetProperty("vehicle").ValueKind.ShouldBe(JsonValueKind.Null);
        (await page.GetByTestId("connection-state").GetAttributeAsync("data-state")).ShouldBe("replay");
        await page.GetByTestId("replay-player").WaitForAsync();

        await page.GetByTestId("replay-live").ClickAsync();
        await page.WaitForFunctionAsync("() => window.fleetman.replay() === null", null, Patience);
        (await page.EvaluateAsync<string?>("() => new URL(location.href).searchParams.get('replay')")).ShouldBeNull();
    }

    [Fact]
    public async Task On_a_phone_the_replay_controls_sit_over_the_map_above_the_sheet_with_44_px_tap_targets()
    {
        var page = await system.OpenMapAsync();
        await page.SetViewportSizeAsync(390, 844);
        await page.GetByTestId("replay-open").ClickAsync();
        await page.GetByTestId("replay-preset").SelectOptionAsync("15");
        await page.GetByTestId("replay-start").ClickAsync();
        await page.GetByTestId("replay-player").WaitForAsync();

        var layout = await page.EvaluateAsync<JsonElement>(
            """
            () => {
              const replay = document.querySelector("[data-testid=replay]").getBoundingClientRect();
              const sheet = document.querySelector(".side").getBoundingClientRect();
              const small = [...document.querySelectorAll("[data-testid=replay] button, [data-testid=replay] input, [data-testid=replay] select")]
                .filter((e) => e.getClientRects().length > 0)
                .map((e) => [e.dataset.testid, e.getBoundingClientRect()])
                .filter(([, b]) => b.width < 44 || b.height < 44)
                .map(([what, b]) => `${what} ${Math.round(b.width)}x${Math.round(b.height)}`);
              return { left: replay.left, right: replay.right, bottom: replay.bottom, sheetTop: sheet.top, small };
            }
            """);

        layout.GetProperty("small").EnumerateArray().Select(e => e.GetString()).ShouldBeEmpty();
        layout.GetProperty("left").GetDouble().ShouldBeGreaterThanOrEqualTo(0);
        layout.GetProperty("right").GetDouble().ShouldBeLessThanOrEqualTo(390);
        layout.GetProperty("bottom").GetDouble().ShouldBeLessThan(layout.GetProperty("sheetTop").GetDouble());
        await LiveSystem.ScreenshotAsync(page, "replay-phone");
    }

    /// <summary>What the api-gateway answers (directly: the edge's per-client limit is the page's).</summary>
    private async Task<Stored[]> GetAsync(string path)
    {
        Stored[] points = [];
        var status = "no answer";
        await Eventually.Until(
            async () =>
            {
                using var response = await system.ApiGateway.Http.GetAsync(new Uri(path, UriKind.Relative));
                status = response.StatusCode.ToString();
                // 503: the tracker did not answer within the api-gateway's timeout (a busy machine); asked again, as the page does.
                if (response.StatusCode == global::System.Net.HttpStatusCode.ServiceUnavailable)
                {
                    return false;
                }

                response.EnsureSuccessStatusCode();
                points = await response.Content.ReadFromJsonAsync<Stored[]>() ?? [];
                return true;
            },
            TimeSpan.FromSeconds(60), () => Task.FromResult($"GET {path}: {status}"));
        return points;
    }

    /// <summary>A time as the page's from and to inputs take it: local time in the browser's time zone, to the second.</summary>
    private static Task<string> LocalInputAsync(IPage page, DateTimeOffset time) =>
        page.EvaluateAsync<string>(
            $$"""
            () => {
              const d = new Date({{time.ToUnixTimeMilliseconds()}}), two = (n) => String(n).padStart(2, "0");
              return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
            }
            """);

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static double Metres(Stored a, Stored b) => DistanceToSegment(a.Lat, a.Lng, b, b);

    /// <summary>Metres from a point to the segment between two reports (equirectangular: a few hundred metres at most).</summary>
    private static double DistanceToSegment(double lat, double lng, Stored a, Stored b)
    {
        var metresPerDegree = 111_320.0;
        var cos = Math.Cos(lat * Math.PI / 180);
        (double X, double Y) P(double la, double ln) => ((ln - lng) * metresPerDegree * cos, (la - lat) * metresPerDegree);
        var (ax, ay) = P(a.Lat, a.Lng);
        var (bx, by) = P(b.Lat, b.Lng);
        var (dx, dy) = (bx - ax, by - ay);
        var length = dx * dx + dy * dy;
        var t = length == 0 ? 0 : Math.Clamp(-(ax * dx + ay * dy) / length, 0, 1);
        return Math.Sqrt(Math.Pow(ax + t * dx, 2) + Math.Pow(ay + t * dy, 2));
    }

    private static string Js(string value) => JsonSerializer.Serialize(value);
}
