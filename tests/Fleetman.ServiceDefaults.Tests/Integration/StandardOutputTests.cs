namespace Fleetman.ServiceDefaults.Tests.Integration;

[Collection(ConsoleRedirection.Name)]
public sealed class StandardOutputTests
{
    [Fact]
    public async Task Without_an_override_log_lines_go_to_standard_output()
    {
        var original = Console.Out;
        using var stdout = new LogCapture();
        Console.SetOut(stdout);
        try
        {
            var app = TestService.Build(logs: null, map: app => app.MapGet("/ping", () => "pong"));
            await app.StartAsync();
            await app.StopAsync();
            await app.DisposeAsync();
        }
        finally
        {
            Console.SetOut(original);
        }

        var lines = LogCapture.ParseLines(stdout.ToString());
        lines.ShouldContain(l => l.GetProperty("@mt").GetString() == "Application started. Press Ctrl+C to shut down.");
    }
}
