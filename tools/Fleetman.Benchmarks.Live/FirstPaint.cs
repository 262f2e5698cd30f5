using System.Diagnostics;
using Fleetman.Testing;
using Microsoft.Playwright;

namespace Fleetman.Benchmarks.Live;

/// <summary>Time to the first paint of every vehicle in Chromium, driven by Playwright.</summary>
internal static class FirstPaint
{
    internal static async Task<List<double>> FirstPaintAsync(ServiceProcess edge, int vehicles, int runs)
    {
        using var playwright = await Playwright.CreateAsync();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var profile = Directory.CreateTempSubdirectory("fleetman-bench-chromium-").FullName;
            try
            {
                await using var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
                {
                    ExecutablePath = "/usr/bin/chromium",
                    Headless = true,
                    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
                    ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
                });
                var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
                await page.GotoAsync(edge.Http.BaseAddress!.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
                var done = await page.WaitForFunctionAsync(
                    $"() => (window.fleetman?.ready?.() && window.fleetman.vehicleCount() >= {vehicles}) ? performance.now() : null",
                    null,
                    new PageWaitForFunctionOptions { Timeout = 60_000 }); // no PollingInterval: checked every animation frame
                times.Add(await done.JsonValueAsync<double>());
                await context.CloseAsync();
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

        return times;
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
