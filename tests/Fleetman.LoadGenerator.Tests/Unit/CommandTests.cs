namespace Fleetman.LoadGenerator.Tests.Unit;

/// <summary>The command's exit codes before any load is made.</summary>
public sealed class CommandTests
{
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await LoadGeneratorCommand.RunAsync(args, output, error, CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_bad_option_exits_with_1_and_names_it()
    {
        var (exitCode, output, error) = await RunAsync("--base-url", "http://127.0.0.1:9", "--users", "-3");

        exitCode.ShouldBe(1);
        error.ShouldStartWith("error: --users: -3 is out of range (1 to 100000)");
        error.ShouldContain("--help");
        output.ShouldBeEmpty("nothing was started");
    }

    [Fact]
    public async Task A_json_file_that_cannot_be_written_is_a_bad_option_found_before_the_run()
    {
        var (exitCode, _, error) = await RunAsync("--base-url", "http://127.0.0.1:9", "--json", "/nonexistent-folder/figures.json");

        exitCode.ShouldBe(1);
        error.ShouldStartWith("error: --json: cannot write /nonexistent-folder/figures.json");
    }

    [Fact]
    public async Task Help_lists_every_option_and_exits_with_0()
    {
        var (exitCode, output, _) = await RunAsync("--help");

        exitCode.ShouldBe(0);
        foreach (var option in new[] { "--base-url", "--users", "--profile", "--ramp-up", "--duration", "--spike-base", "--think-time", "--mix",
            "--follow-time", "--request-timeout", "--skip-negotiation", "--seed", "--report-interval", "--json", "--max-request-p99-ms",
            "--max-push-lag-p99-ms", "--min-requests-per-second", "--max-error-rate", "--min-positions-per-second" })
        {
            output.ShouldContain(option);
        }
    }
}
