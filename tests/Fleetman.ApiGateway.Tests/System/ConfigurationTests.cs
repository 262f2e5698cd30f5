using Fleetman.Testing;

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
}
