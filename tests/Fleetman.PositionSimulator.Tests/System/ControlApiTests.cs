using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fleetman.PositionSimulator.Simulation;
using Fleetman.Testing;

namespace Fleetman.PositionSimulator.Tests.System;

[Collection(SharedBrokerTests.Name)]
public sealed class ControlApiTests(SharedBrokerFixture fixture)
{
    [Fact]
    public async Task Stop_halts_publishing_start_resumes_it_and_settings_change_vehicles_interval_and_time_at_once()
    {
        await using var simulator = await StartAsync(vehicles: 3, intervalMilliseconds: 200);
        await simulator.WaitForStatusAsync(s => s.Published > 10, "nothing published yet");

        var stopped = await simulator.PostAsync("stop");
        stopped.Running.ShouldBeFalse();
        await Task.Delay(500); // confirmations of reports already sent
        var before = (await simulator.StatusAsync()).Published;
        await Task.Delay(1_000);
        (await simulator.StatusAsync()).Published.ShouldBe(before, "nothing is published while stopped");

        (await simulator.PostAsync("start")).Running.ShouldBeTrue();
        await simulator.WaitForStatusAsync(s => s.Published > before + 10, "publishing did not resume");

        using var change = await simulator.Http.PutAsJsonAsync(new Uri("/simulator/settings", UriKind.Relative), new { vehicles = 8, reportIntervalMilliseconds = 250, timeCompression = 3 });
        change.StatusCode.ShouldBe(HttpStatusCode.OK);
        var changed = await simulator.StatusAsync();
        (changed.Vehicles, changed.ReportIntervalMilliseconds, changed.TimeCompression).ShouldBe((8, 250, 3.0));

        await Task.Delay(500);
        var from = (await simulator.StatusAsync()).Published;
        await Task.Delay(2_000);
        var rate = ((await simulator.StatusAsync()).Published - from) / 2.0;
        rate.ShouldBeInRange(24, 40, "8 vehicles, 4 reports a second each");
        await Eventually.Until(() => simulator.Listener!.Vehicles().Count == 8, TimeSpan.FromSeconds(10), () => $"{simulator.Listener!.Vehicles().Count} of 8 vehicles seen on the queue");
    }

    [Theory]
    [InlineData("""{"vehicles": 10001}""", "vehicles")]
    [InlineData("""{"vehicles": -1}""", "vehicles")]
    [InlineData("""{"reportIntervalMilliseconds": 10}""", "reportIntervalMilliseconds")]
    [InlineData("""{"timeCompression": 0}""", "timeCompression")]
    [InlineData("""{"timeCompression": 1000}""", "timeCompression")]
    public async Task Invalid_settings_are_refused_with_a_validation_problem_naming_the_field(string body, string field)
    {
        await using var simulator = await StartAsync(vehicles: 2, intervalMilliseconds: 1_000, autoStart: false);

        using var response = await simulator.Http.PutAsync(new Uri("/simulator/settings", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().ShouldBe(400);
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe([field]);
        (await simulator.StatusAsync()).Vehicles.ShouldBe(2, "nothing was changed");
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_problem_too_and_the_api_is_described_by_openapi()
    {
        await using var simulator = await StartAsync(vehicles: 1, intervalMilliseconds: 1_000, autoStart: false);

        using var response = await simulator.Http.PutAsync(new Uri("/simulator/settings", UriKind.Relative), new StringContent("vehicles=3", Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");

        using var missing = await simulator.Http.GetAsync(new Uri("/simulator/nothing-here", UriKind.Relative));
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        missing.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");

        var openApi = await simulator.Http.GetFromJsonAsync<JsonElement>(new Uri("/openapi/v1.json", UriKind.Relative));
        openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name)
            .ShouldBe(["/simulator/status", "/simulator/start", "/simulator/stop", "/simulator/settings", "/simulator/streets"], ignoreOrder: true);
    }

    [Fact]
    public async Task With_auto_start_off_nothing_drives_until_started_and_metrics_count_what_was_published()
    {
        await using var simulator = await StartAsync(vehicles: 2, intervalMilliseconds: 200, autoStart: false);
        await Task.Delay(1_000);
        var idle = await simulator.StatusAsync();
        (idle.Running, idle.Published, idle.SimulatedTime).ShouldBe((false, 0L, null));

        await simulator.PostAsync("start");
        await simulator.WaitForStatusAsync(s => s.Published >= 10, "nothing published yet");

        var metrics = await simulator.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var lines = metrics.Split('\n');
        var published = lines.SingleOrDefault(line => line.StartsWith("fleetman_simulator_positions_published ", StringComparison.Ordinal));
        published.ShouldNotBeNull($"on /metrics:\n{string.Join('\n', lines.Where(l => l.Contains("simulator", StringComparison.Ordinal)))}");
        double.Parse(published.Split(' ')[1], CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(10);
        lines.ShouldContain("fleetman_simulator_vehicles_active 2");
        lines.ShouldContain("fleetman_simulator_positions_failed 0");
        lines.ShouldContain("fleetman_simulator_positions_dropped 0");
    }

    [Fact]
    public async Task Tracks_without_a_folder_stop_the_service_at_start_naming_the_setting()
    {
        await using var simulator = SimulatorProcess.Launch(new Dictionary<string, string>
        {
            ["Broker__Host"] = "127.0.0.1",
            ["Simulator__Source"] = "Tracks",
        });

        (await simulator.WaitForExitAsync(TimeSpan.FromSeconds(30))).ShouldBe(1);
        simulator.Output.ShouldContain(line => line.Contains("Simulator:TracksPath (environment variable Simulator__TracksPath)", StringComparison.Ordinal));
    }

    private async Task<SimulatorProcess> StartAsync(int vehicles, int intervalMilliseconds, bool autoStart = true) =>
        await SimulatorProcess.StartAsync(
            await SimulatorEnvironment.ForAsync(fixture.Broker, Eventually.UniqueQueue("simulator-api"), vehicles, intervalMilliseconds, ("Simulator__AutoStart", autoStart ? "true" : "false")),
            listenWith: fixture.Broker);
}
