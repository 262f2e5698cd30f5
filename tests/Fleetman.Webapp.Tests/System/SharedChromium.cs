namespace Fleetman.Webapp.Tests.System;

/// <summary>
/// One Chromium, and one Playwright driver, for the systems of this assembly that run at the same time: each system
/// gets a browser context of its own (its own pages, cookies, storage, permissions, offline switch and init scripts),
/// as separate from the others' as a browser of its own, without a Chromium and a Node.js driver started for each
/// (docs/testing.md, "The chaos and browser tests' CPU"). The browser is closed when the last context is released, and
/// launched again if a system starts after that.
/// </summary>
public static class SharedChromium
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static IPlaywright? _playwright;
    private static IBrowser? _browser;
    private static int _contexts;

    /// <summary>A new context in the shared browser, launched if none runs; give it back with <see cref="ReleaseAsync"/>.</summary>
    public static async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions options)
    {
        await Gate.WaitAsync();
        try
        {
            if (_browser is null)
            {
                _playwright = await Playwright.CreateAsync();
                _browser = await _playwright.Chromium.LaunchAsync(new()
                {
                    ExecutablePath = "/usr/bin/chromium",
                    Headless = true,
                    // Chromium's background services would try to reach the internet, which this machine cannot.
                    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
                });
            }

            var context = await _browser.NewContextAsync(options);
            _contexts++;
            return context;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Closes <paramref name="context"/>; the browser too if it was the last one.</summary>
    public static async Task ReleaseAsync(IBrowserContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await Gate.WaitAsync();
        try
        {
            await context.CloseAsync();
            if (--_contexts == 0)
            {
                await _browser!.CloseAsync();
                _playwright!.Dispose();
                (_browser, _playwright) = (null, null);
            }
        }
        finally
        {
            Gate.Release();
        }
    }
}
