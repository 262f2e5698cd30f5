using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fleetman.ServiceDefaults.Tests.Integration;

public sealed class HealthCheckCommandTests
{
    [Fact]
    public async Task Exits_0_when_the_service_on_the_configured_port_is_ready()
    {
        await using var service = await TestService.StartAsync();
        var output = new StringWriter();

        var exitCode = await HealthCheckCommand.RunAsync(["healthcheck"], PortsOf(service), output);

        exitCode.ShouldBe(0);
        output.ToString().ShouldStartWith($"200 http://127.0.0.1:{service.Http.BaseAddress!.Port}/healthz/ready");
    }

    [Fact]
    public async Task Exits_1_when_a_readiness_check_fails_and_0_when_only_liveness_is_asked()
    {
        await using var service = await TestService.StartAsync(configure: builder => builder.Services.AddHealthChecks()
            .AddCheck("broker", () => HealthCheckResult.Unhealthy("Not connected."), [Extensions.ReadyTag]));
        var output = new StringWriter();

        var ready = await HealthCheckCommand.RunAsync(["healthcheck"], PortsOf(service), output);
        var live = await HealthCheckCommand.RunAsync(["healthcheck", "/healthz/live"], PortsOf(service), output);

        ready.ShouldBe(1);
        output.ToString().ShouldContain("503 ");
        live.ShouldBe(0);
    }

    [Fact]
    public async Task Exits_1_when_nothing_listens_on_the_port()
    {
        int port;
        await using (var service = await TestService.StartAsync())
        {
            port = service.Http.BaseAddress!.Port;
        }

        var output = new StringWriter();
        var exitCode = await HealthCheckCommand.RunAsync(["healthcheck"], name => name == "ASPNETCORE_HTTP_PORTS" ? $"{port}" : null, output);

        exitCode.ShouldBe(1);
        output.ToString().ShouldContain($"http://127.0.0.1:{port}/healthz/ready");
    }

    private static Func<string, string?> PortsOf(TestService service) =>
        name => name == "ASPNETCORE_HTTP_PORTS" ? $"{service.Http.BaseAddress!.Port}" : null;
}
