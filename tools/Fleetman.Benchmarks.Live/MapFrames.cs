using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fleetman.Testing;
using Microsoft.Playwright;

namespace Fleetman.Benchmarks.Live;

/// <summary>
/// The live map with a fleet of each size in view in Chromium: frames per second (every animation frame counted for a
/// while, the markers moving between reports), the slowest frame, and the JavaScript heap after a garbage collection.
/// The simulator is scaled to each size through its control API; a fresh browser loads the page for each.
/// </summary>
internal static class MapFrames
{
    /// <summary>Counts the animation frames for the given milliseconds: how many, over how long, and the longest gap.</summary>
    private const string CountFrames =
        """
        (ms) => new Promise((resolve) => {
          const start = performance.now();
          let frames = 0, last = start, slowest = 0;
          const step = (now) => {
            frames++;
            slowest = Math.max(slowest, now - last);
            last = now;
            if (now - start < ms) requestAnimationFrame(step);
            else resolve({ frames, elapsed: now - start, slowest });
          };
          requestAnimationFrame(step);
        })
        """;

    /// <summary>Vehicles whose marker is inside the map's box on the page.</summary>
    private const string InView =
        """
        () => {
          const box = document.querySelector("[data-testid=map]").getBoundingClientRect();
          return window.fleetman.vehicleNames().map((n) => window.fleetman.screenPointOf(n))
            .filter((p) => p !== null && p.x >= box.left && p.x <= box.right && p.y >= box.top && p.y <= box.bottom).length;
        }
        """;

    internal sealed record Result(int Vehicles, int InView, double FramesPerSecond, double SlowestFrameMs, double HeapMiB);

    internal static async Task<List<Result>> RunAsync(
        ServiceProcess edge, ServiceProcess simulator, string adminPassword, IReadOnlyList<int> sizes, int reportIntervalMilliseconds, int seconds,
        Func<ServiceProcess, int, Task> waitForVehicles)
    {
        using var playwright = await Playwright.CreateAsync();
        var results = new List<Result>();
        foreach (var size in sizes)
        {
            await ScaleAsync(simulator, adminPassword, size, reportIntervalMilliseconds);
            await waitForVehicles(edge, size);
            results.Add(await FirstPaint.InFreshBrowserAsync(playwright, page => MeasureAsync(page, edge, size, seconds)));
        }

        return results;
    }

    private static async Task<Result> MeasureAsync(IPage page, ServiceProcess edge, int vehicles, int seconds)
    {
        await page.GotoAsync(edge.Http.BaseAddress!.ToString(), new PageGotoOptions { Timeout = 60_000 });
        await page.WaitForFunctionAsync(
            $"() => window.fleetman?.ready?.() && window.fleetman.connectionState() === 'live' && window.fleetman.markerCount() >= {vehicles}",
            null,
            new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 250 });
        var inView = await page.EvaluateAsync<int>(InView);
        var frames = await page.EvaluateAsync<JsonElement>(CountFrames, seconds * 1_000);
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("HeapProfiler.collectGarbage");
        var heap = (await cdp.SendAsync("Runtime.getHeapUsage"))!.Value;
        await cdp.DetachAsync();
        return new Result(
            vehicles,
            inView,
            frames.GetProperty("frames").GetDouble() * 1_000 / frames.GetProperty("elapsed").GetDouble(),
            frames.GetProperty("slowest").GetDouble(),
            heap.GetProperty("usedSize").GetDouble() / (1024 * 1024));
    }

    private static async Task ScaleAsync(ServiceProcess simulator, string adminPassword, int vehicles, int reportIntervalMilliseconds)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("/simulator/settings", UriKind.Relative))
        {
            Content = JsonContent.Create(new { vehicles, reportIntervalMilliseconds }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{adminPassword}")));
        using var response = await simulator.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
}
