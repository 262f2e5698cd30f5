using System.Diagnostics;
using Fleetman.Testing;
using Microsoft.Playwright;

namespace Fleetman.Benchmarks.Live;

/// <summary>Time to the first paint of every vehicle in Chromium, driven by Playwright.</summary>
internal static class FirstPaint
{
    /// <summary>
    /// <paramref name="runs"/> loads of the page, each a first visit (empty cache, no cookies). <paramref name="warm"/>
    /// false: each in a browser started for it with an empty profile, so the renderer process starts after the
    /// navigation does (a cold start). True: each in a fresh, empty context of one browser started before the first
    /// load, as a user who opens the map has a browser running already.
    /// </summary>
    internal static async Task<List<PaintTiming>> FirstPaintAsync(ServiceProcess edge, int vehicles, int runs, bool warm = false)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var running = warm ? await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs }) : null;
        if (running is not null)
        {
            // The browser's own start (first context, first renderer) before the first measured load, as it is before a user's.
            await InFreshContextAsync(running, page => page.GotoAsync("about:blank"));
        }

        var times = new List<PaintTiming>();
        for (var i = 0; i < runs; i++)
        {
            times.Add(await (running is null ? InFreshBrowserAsync(playwright, MeasureAsync) : InFreshContextAsync(running, MeasureAsync)));
        }

        return times;

        async Task<PaintTiming> MeasureAsync(IPage page)
        {
            await page.GotoAsync(edge.Http.BaseAddress!.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
            var done = await page.WaitForFunctionAsync(
                $"() => (window.fleetman?.ready?.() && window.fleetman.vehicleCount() >= {vehicles}) ? performance.now() : null",
                null,
                new PageWaitForFunctionOptions { Timeout = 60_000 }); // no PollingInterval: checked every animation frame
            var total = await done.JsonValueAsync<double>();
            // The page's own marks (webapp/src/main.ts, app.ts) and its script's download; -1 where one is missing.
            var marks = await page.EvaluateAsync<double[]>("""
                () => {
                  const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? -1;
                  const script = performance.getEntriesByType("resource").find((r) => r.initiatorType === "script");
                  return [script?.responseEnd ?? -1, mark("fleetman:script"), mark("fleetman:config"), mark("fleetman:started"), mark("fleetman:first-vehicles")];
                }
                """);
            return new PaintTiming(total, marks[0], marks[1], marks[2], marks[3], marks[4]);
        }
    }

    private static readonly string[] ChromiumArgs = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    /// <summary>Runs <paramref name="measure"/> on a page of a new, empty context (no cache, no cookies) of <paramref name="browser"/> (1280×800), closed afterwards.</summary>
    private static async Task<T> InFreshContextAsync<T>(IBrowser browser, Func<IPage, Task<T>> measure)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var result = await measure(await context.NewPageAsync());
        await context.CloseAsync();
        return result;
    }

    /// <summary>Runs <paramref name="measure"/> on a page of Debian's Chromium (headless, 1280×800) with a fresh profile, closed afterwards.</summary>
    internal static async Task<T> InFreshBrowserAsync<T>(IPlaywright playwright, Func<IPage, Task<T>> measure)
    {
        var profile = Directory.CreateTempSubdirectory("fleetman-bench-chromium-").FullName;
        try
        {
            await using var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ChromiumArgs,
                ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            });
            var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
            var result = await measure(page);
            await context.CloseAsync();
            return result;
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium still held a file
            }
        }
    }

    internal static string BrowserVersion()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("/usr/bin/chromium", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var version = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit(5_000);
            return version;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "Chromium";
        }
    }
}

/// <summary>
/// One page load, in ms from navigation start: its script downloaded, the script running (parsed and evaluated), the
/// settings read, the page started (map, list and panels made; the REST list requested), the first vehicles received,
/// and every vehicle drawn (<see cref="Total"/>). A phase the page did not mark is -1.
/// </summary>
internal sealed record PaintTiming(double Total, double ScriptLoaded, double ScriptRunning, double Configured, double Started, double FirstVehicles)
{
    /// <summary>The phases as (name, duration) in order; the last ends at <see cref="Total"/>.</summary>
    internal IEnumerable<(string Name, double Ms)> Phases()
    {
        (string Name, double At)[] ends =
        [
            ("download", ScriptLoaded), ("script", ScriptRunning), ("settings", Configured), ("start", Started), ("vehicles", FirstVehicles), ("drawing", Total),
        ];
        var previous = 0.0;
        foreach (var (name, at) in ends)
        {
            if (at < 0)
            {
                yield return (name, double.NaN);
                continue;
            }

            yield return (name, at - previous);
            previous = at;
        }
    }
}

