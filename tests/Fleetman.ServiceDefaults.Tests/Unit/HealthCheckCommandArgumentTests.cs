namespace Fleetman.ServiceDefaults.Tests.Unit;

/// <summary>What the health check command makes of its arguments and settings before it calls anything.</summary>
public sealed class HealthCheckCommandArgumentTests
{
    [Theory]
    [InlineData("healthz/ready")]
    [InlineData("/healthz/ready", "extra")]
    public async Task Refuses_a_path_that_is_not_absolute_or_extra_arguments(params string[] rest)
    {
        var output = new StringWriter();

        var exitCode = await HealthCheckCommand.RunAsync(["healthcheck", .. rest], _ => null, output);

        exitCode.ShouldBe(1);
        output.ToString().ShouldStartWith("usage: healthcheck");
    }

    [Fact]
    public async Task Refuses_ports_that_are_not_a_number()
    {
        var output = new StringWriter();

        var exitCode = await HealthCheckCommand.RunAsync(["healthcheck"], _ => "http", output);

        exitCode.ShouldBe(1);
        output.ToString().ShouldContain("ASPNETCORE_HTTP_PORTS 'http'");
    }

    [Fact]
    public void Is_requested_only_by_its_name_as_the_first_argument()
    {
        HealthCheckCommand.IsRequested(["healthcheck"]).ShouldBeTrue();
        HealthCheckCommand.IsRequested(["HealthCheck", "/healthz/live"]).ShouldBeTrue();
        HealthCheckCommand.IsRequested([]).ShouldBeFalse();
        HealthCheckCommand.IsRequested(["--urls", "healthcheck"]).ShouldBeFalse();
    }
}
