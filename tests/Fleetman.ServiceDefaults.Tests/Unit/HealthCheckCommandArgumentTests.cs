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

    // The rule of every command a service's binary runs instead of the service (the tracker's retention sweep too).
    [Fact]
    public void Is_requested_only_by_its_name_as_the_first_argument_in_any_case()
    {
        FleetmanService.IsCommand(["healthcheck"], HealthCheckCommand.Name).ShouldBeTrue();
        FleetmanService.IsCommand(["HealthCheck", "/healthz/live"], HealthCheckCommand.Name).ShouldBeTrue();
        FleetmanService.IsCommand([], HealthCheckCommand.Name).ShouldBeFalse();
        FleetmanService.IsCommand(["--urls", "healthcheck"], HealthCheckCommand.Name).ShouldBeFalse();
        FleetmanService.IsCommand(["retention-sweep", "healthcheck"], HealthCheckCommand.Name).ShouldBeFalse();
    }
}
