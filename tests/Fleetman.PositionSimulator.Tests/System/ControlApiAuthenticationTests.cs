using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fleetman.Testing;

namespace Fleetman.PositionSimulator.Tests.System;

/// <summary>The simulator's own door: its state-changing routes ask for the admin's credentials on its own port.</summary>
[Collection(SharedBrokerTests.Name)]
public sealed class ControlApiAuthenticationTests(SharedBrokerFixture fixture)
{
    [Theory]
    [InlineData("POST", "/simulator/stop", null)]
    [InlineData("POST", "/simulator/start", null)]
    [InlineData("PUT", "/simulator/settings", "wrong password")]
    public async Task Without_the_admin_credentials_a_state_changing_route_is_a_401_problem_and_changes_nothing(string method, string path, string? password)
    {
        await using var simulator = await StartAsync(("Simulator__AutoStart", "true"));
        using var stranger = new HttpClient { BaseAddress = simulator.Address };
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { vehicles = 7 }) };
        if (password is not null)
        {
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{password}")));
        }

        using var response = await stranger.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Basic");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32().ShouldBe(401);
        var status = await simulator.StatusAsync();
        (status.Running, status.Vehicles).ShouldBe((true, 2), "nothing was changed");
    }

    [Fact]
    public async Task With_the_admin_credentials_the_route_works_and_the_status_stays_open_to_read()
    {
        await using var simulator = await StartAsync(("Simulator__AutoStart", "true"));
        using var stranger = new HttpClient { BaseAddress = simulator.Address };
        (await stranger.GetAsync(new Uri("/simulator/status", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await simulator.PostAsync("stop")).Running.ShouldBeFalse();
    }

    [Fact]
    public async Task Without_a_configured_password_the_routes_are_disabled_with_a_403_naming_the_setting()
    {
        await using var simulator = await StartAsync(("Admin__Password", ""));
        using var response = await simulator.Http.PostAsync(new Uri("/simulator/start", UriKind.Relative), null);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("Admin__Password");
    }

    [Fact]
    public async Task A_password_shorter_than_twelve_characters_stops_the_service_at_start_naming_the_setting()
    {
        var environment = await SimulatorEnvironment.ForAsync(fixture.Broker, Eventually.UniqueQueue("simulator-auth"), 1, 1_000, ("Admin__Password", "short"));
        await using var simulator = SimulatorProcess.Launch(environment);
        await Eventually.Until(() => simulator.HasExited, TimeSpan.FromSeconds(30), () => "the simulator kept running");
        simulator.ExitCode.ShouldBe(1);
        string.Join('\n', simulator.Output).ShouldContain("Admin__Password");
    }

    private async Task<SimulatorProcess> StartAsync(params (string Name, string Value)[] more) =>
        await SimulatorProcess.StartAsync(
            await SimulatorEnvironment.ForAsync(fixture.Broker, Eventually.UniqueQueue("simulator-auth"), 2, 1_000, more));
}
