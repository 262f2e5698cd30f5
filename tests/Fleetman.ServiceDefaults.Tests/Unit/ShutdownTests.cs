namespace Fleetman.ServiceDefaults.Tests.Unit;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Shutdown_timeout_comes_from_ShutdownTimeoutSeconds()
    {
        await using var app = TestService.Build(new LogCapture(), new Dictionary<string, string?> { ["ShutdownTimeoutSeconds"] = "7" });

        app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout.ShouldBe(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public async Task Shutdown_timeout_is_30_seconds_by_default()
    {
        await using var app = TestService.Build(new LogCapture());

        app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout.ShouldBe(TimeSpan.FromSeconds(30));
    }
}
