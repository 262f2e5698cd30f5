namespace Fleetman.ServiceDefaults.Tests.Integration;

public sealed class ServiceRunnerTests
{
    [Fact]
    public async Task Invalid_configuration_is_one_fatal_log_line_naming_every_bad_setting_and_exit_code_1()
    {
        var logs = new LogCapture();
        var app = TestService.Build(logs, new Dictionary<string, string?> { ["Sample:Port"] = "0" },
            builder => builder.AddValidatedOptions<SampleOptions>("Sample", static (section, options) => section.Bind(options)));

        var exitCode = await app.RunServiceAsync();

        exitCode.ShouldBe(1);
        // Only one line tells the story: the host's own error with a stack trace is left out.
        var fatal = logs.Lines().Where(l => l.ToString().Contains("Sample__Host", StringComparison.Ordinal)).ShouldHaveSingleItem();
        fatal.GetProperty("@l").GetString().ShouldBe("Fatal");
        var message = fatal.GetProperty("@m").GetString()!;
        message.ShouldStartWith("Invalid configuration, the service cannot start: ");
        message.ShouldContain("Sample:Host (environment variable Sample__Host): The Host field is required.");
        message.ShouldContain("Sample:Port (environment variable Sample__Port): The field Port must be between 1 and 65535.");
        fatal.TryGetProperty("@x", out _).ShouldBeFalse("a configuration error needs no stack trace");
    }

    [Fact]
    public async Task A_clean_stop_exits_with_code_0()
    {
        var app = TestService.Build(new LogCapture());
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(lifetime.StopApplication);

        var exitCode = await app.RunServiceAsync().WaitAsync(TimeSpan.FromSeconds(30));

        exitCode.ShouldBe(0);
    }

    [Fact]
    public async Task A_crashed_background_service_stops_the_service_with_exit_code_1()
    {
        var logs = new LogCapture();
        var app = TestService.Build(logs, configure: builder => builder.Services.AddHostedService<CrashingWorker>());

        var exitCode = await app.RunServiceAsync().WaitAsync(TimeSpan.FromSeconds(30));

        exitCode.ShouldBe(1);
        logs.ToString().ShouldContain("the queue is on fire");
    }

    private sealed class CrashingWorker : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(50, stoppingToken);
            throw new InvalidOperationException("the queue is on fire");
        }
    }
}
