using System.Net.Http.Headers;

namespace Fleetman.Webapp.Tests.System;

/// <summary>The running system with 1,000 vehicles, each reporting every 5 s: 200 reports a second, light on a shared machine.</summary>
public sealed class ThousandVehicleSystem() : LiveSystem(1_000, reportIntervalMilliseconds: 5_000);

/// <summary>A fleet that shrinks, on the live map in Chromium against the real running system.</summary>
public sealed class FleetSizeTests(ThousandVehicleSystem system) : IClassFixture<ThousandVehicleSystem>, IAsyncLifetime
{
    // Well under the 5-minute retention of silent vehicles, which the shrink must not wait for; generous for a busy
    // two-core machine drawing 1,000 markers.
    private static readonly PageWaitForFunctionOptions Patience = new() { Timeout = 90_000 };

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Closes the pages this test opened (<see cref="LiveSystem.ClosePagesAsync"/>).</summary>
    public Task DisposeAsync() => system.ClosePagesAsync();

    [Fact]
    public async Task Scaling_the_simulator_from_1000_vehicles_to_38_leaves_38_markers_rows_and_rest_entries_and_a_fresh_page_shows_38()
    {
        var page = await system.OpenMapAsync();
        await page.WaitForFunctionAsync(Shows(1_000), null, Patience);

        using (var request = new HttpRequestMessage(HttpMethod.Put, new Uri("/admin/simulator/settings", UriKind.Relative)))
        {
            request.Content = JsonContent.Create(new { vehicles = 38 });
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{system.AdminPassword}")));
            using var response = await system.Edge.Http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        // The simulator announces the 962 it retired: they go at once, not after the 5-minute retention of silent vehicles.
        await UntilShownAsync(page, 38);
        var shown = await page.EvaluateAsync<string[]>("() => window.fleetman.vehicleNames()");
        var listed = await system.ApiGateway.GetJsonAsync<Listed[]>("/api/vehicles/");
        listed.Select(v => v.Name).ShouldBe(shown, ignoreOrder: true);
        await LiveSystem.ScreenshotAsync(page, "fleet-shrunk-to-38");

        var fresh = await system.Browser.NewPageAsync();
        await fresh.GotoAsync(system.Edge.Http.BaseAddress!.ToString());
        await fresh.WaitForFunctionAsync("() => window.fleetman?.ready() && window.fleetman.connectionState() === 'live'", null, Patience);
        await fresh.WaitForFunctionAsync(Shows(38), null, Patience);
        // A report after the hub's snapshot (sent first on a connection): the snapshot brought no vehicle back.
        var name = shown[0];
        var time = await fresh.EvaluateAsync<string>($"() => window.fleetman.positionOf({Js(name)}).time");
        await fresh.WaitForFunctionAsync($"() => window.fleetman.positionOf({Js(name)}).time !== {Js(time)}", null, Patience);
        (await fresh.EvaluateAsync<bool>(Shows(38))).ShouldBeTrue();
        (await fresh.EvaluateAsync<string[]>("() => window.fleetman.vehicleNames()")).ShouldBe(shown, ignoreOrder: true);
    }

    /// <summary>Waits until the page shows <paramref name="vehicles"/>; if it does not, says what the page, the API and the consumer had.</summary>
    private async Task UntilShownAsync(IPage page, int vehicles)
    {
        try
        {
            await page.WaitForFunctionAsync(Shows(vehicles), null, Patience);
        }
        catch (TimeoutException ex)
        {
            var onPage = await page.EvaluateAsync<string>("""
                () => `vehicles ${window.fleetman.vehicleCount()}, markers ${window.fleetman.markerCount()}, `
                  + `list "${document.querySelector("[data-testid=vehicle-count]")?.textContent}", connection ${window.fleetman.connectionState()}`
                """);
            var listed = await system.ApiGateway.GetJsonAsync<Listed[]>("/api/vehicles/");
            throw new TimeoutException($"the page did not come to {vehicles} vehicles: {onPage}; the API lists {listed.Length}; "
                + $"queue-consumer log:\n{system.Consumer.Tail(15)}", ex);
        }
    }

    /// <summary>Whether the page's vehicles, its markers and its list's count all say <paramref name="vehicles"/>.</summary>
    private static string Shows(int vehicles) =>
        $$"""
        () => window.fleetman.vehicleCount() === {{vehicles}} && window.fleetman.markerCount() === {{vehicles}}
          && document.querySelector("[data-testid=vehicle-count]")?.textContent === "{{vehicles}} vehicles"
        """;

    private static string Js(string value) => global::System.Text.Json.JsonSerializer.Serialize(value);

    private sealed record Listed(string Name);
}
