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

    [Fact]
    public async Task An_admin_password_shorter_than_twelve_characters_stops_the_service_at_start_naming_the_setting()
    {
        var environment = await SimulatorEnvironment.ForAsync(fixture.Broker, Eventually.UniqueQueue("simulator-auth"), 1, 1_000, ("Admin__Password", "short"));
        await using var simulator = SimulatorProcess.Launch(environment);
        await Eventually.Until(() => simulator.HasExited, TimeSpan.FromSeconds(30), () => "the simulator kept running");
        simulator.ExitCode.ShouldBe(1);
        string.Join('\n', simulator.Output).ShouldContain("Admin__Password");
    }

    private async Task<SimulatorProcess> StartAsync(int vehicles, int intervalMilliseconds, bool autoStart = true) =>
        await SimulatorProcess.StartAsync(
            await SimulatorEnvironment.ForAsync(fixture.Broker, Eventually.UniqueQueue("simulator-api"), vehicles, intervalMilliseconds, ("Simulator__AutoStart", autoStart ? "true" : "false")),
            listenWith: fixture.Broker);
}
