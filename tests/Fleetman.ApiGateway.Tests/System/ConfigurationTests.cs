namespace Fleetman.ApiGateway.Tests.System;

public sealed class ConfigurationTests
{
    [Fact]
    public async Task A_tracker_address_that_is_not_an_http_url_stops_the_gateway_at_start_naming_the_setting()
    {
        var environment = await BrokerInstance.Shared().ServiceEnvironmentAsync();
        environment["Tracker__BaseAddress"] = "position-tracker:8080";

        var failure = await Should.ThrowAsync<InvalidOperationException>(() =>
            ServiceProcess.StartAsync("api-gateway", "Fleetman.ApiGateway", environment, readinessPath: "/healthz/live"));

        failure.Message.ShouldContain("exited with code 1");
        failure.Message.ShouldContain("Tracker:BaseAddress (environment variable Tracker__BaseAddress)");
    }

    [Fact]
    public async Task An_allowed_hub_origin_that_is_not_an_http_origin_stops_the_gateway_at_start_naming_the_setting()
    {
        var environment = await BrokerInstance.Shared().ServiceEnvironmentAsync();
        environment["Tracker__BaseAddress"] = "http://127.0.0.1:1";
        environment["Hub__AllowedOrigins__0"] = "https://fleet.example";
        environment["Hub__AllowedOrigins__1"] = "fleet.example/map";

        var failure = await Should.ThrowAsync<InvalidOperationException>(() =>
            ServiceProcess.StartAsync("api-gateway", "Fleetman.ApiGateway", environment, readinessPath: "/healthz/live"));

        failure.Message.ShouldContain("exited with code 1");
        failure.Message.ShouldContain("Hub:AllowedOrigins:1 (environment variable Hub__AllowedOrigins__1)");
        failure.Message.ShouldNotContain("AllowedOrigins:0");
    }
}
