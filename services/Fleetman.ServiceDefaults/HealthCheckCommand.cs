namespace Fleetman.ServiceDefaults;

/// <summary>
/// <c>dotnet &lt;Service&gt;.dll healthcheck [path]</c>: asks the service running in the same container for its health
/// and exits 0 when it answers 2xx, 1 otherwise. Small runtime images have no shell and no curl, so a container
/// orchestrator without HTTP probes (docker-compose's <c>healthcheck</c>) runs the service's own binary instead.
/// The port is the first of <c>ASPNETCORE_HTTP_PORTS</c> (8080 when unset), the path <c>/healthz/ready</c> by default.
/// </summary>
public static class HealthCheckCommand
{
    public const string Name = "healthcheck";
    public const string DefaultPath = "/healthz/ready";
    public const int DefaultPort = 8080;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>Runs the check and returns the exit code; one line on <paramref name="output"/> says what happened.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, Func<string, string?> environment, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(output);

        var path = args.Count > 1 ? args[1] : DefaultPath;
        if (!path.StartsWith('/') || args.Count > 2)
        {
            await output.WriteLineAsync($"usage: {Name} [path starting with /, default {DefaultPath}]");
            return 1;
        }

        if (!TryReadPort(environment("ASPNETCORE_HTTP_PORTS"), out var port))
        {
            await output.WriteLineAsync($"ASPNETCORE_HTTP_PORTS '{environment("ASPNETCORE_HTTP_PORTS")}' does not start with a port number.");
            return 1;
        }

        var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{path}");
        using var http = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await http.GetAsync(url);
            await output.WriteLineAsync($"{(int)response.StatusCode} {url}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await output.WriteLineAsync($"{url}: {e.Message}");
            return 1;
        }
    }

    private static bool TryReadPort(string? ports, out int port)
    {
        port = DefaultPort;
        if (string.IsNullOrWhiteSpace(ports))
        {
            return true;
        }

        var first = ports.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and < 65536;
    }
}
