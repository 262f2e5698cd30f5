namespace Fleetman.Gateway.Tests.System;

/// <summary>Settings the gateway cannot work with stop it at start, with one line that names them.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Gateway__ApiRateLimit__PermitsPerSecond", "0", "Gateway:ApiRateLimit:PermitsPerSecond")]
    [InlineData("Gateway__ApiRateLimit__WindowSeconds", "soon", "Gateway:ApiRateLimit:WindowSeconds")]
    [InlineData("Gateway__MaxRequestBodyBytes", "10", "Gateway:MaxRequestBodyBytes")]
    [InlineData("Gateway__AdminPassword", "admin", "Gateway:AdminPassword")]
    [InlineData("Gateway__TrustedProxies", "10.0.0.0/8, proxy.local", "Gateway:TrustedProxies")]
    [InlineData("Gateway__MapTileSources", "https://tiles.example.org; script-src *", "Gateway:MapTileSources")]
    [InlineData("Gateway__DestinationDnsRefreshSeconds", "-1", "Gateway:DestinationDnsRefreshSeconds")]
    [InlineData("Gateway__DestinationDnsRefreshSeconds", "often", "Gateway:DestinationDnsRefreshSeconds")]
    [InlineData("Gateway__Release", "0-5-with-a-name-far-too-long-for-the-header-of-the-page-and-for-anyone", "Gateway:Release")]
    [InlineData("Webapp__Root", "/nonexistent/fleetman/webapp/dist", "Webapp:Root")]
    public async Task A_bad_setting_stops_the_start_and_is_named_with_its_environment_variable(string variable, string value, string setting)
    {
        var settings = GatewayHost.Settings();
        settings[variable] = value;

        var (exitCode, output) = await RunUntilExitAsync(settings);

        exitCode.ShouldBe(1, output);
        var fatal = FatalLine(output);
        fatal.ShouldContain("Invalid configuration");
        fatal.ShouldContain(setting);
        fatal.ShouldContain(variable);
    }

    [Theory]
    [InlineData("ReverseProxy__Routes__api__RateLimiterPolicy", "generous", "RateLimiter policy 'generous' not found for route 'api'")]
    // The hub's cluster reaches the api-gateway cluster's destinations: a second address could only drift from the first.
    [InlineData("ReverseProxy__Clusters__api-gateway-hubs__Destinations__d1__Address", "http://127.0.0.1:9/",
        "Cluster 'api-gateway-hubs' reaches the destinations of cluster 'api-gateway' (Metadata:DestinationsOf) and cannot have its own: set them on 'api-gateway' alone (ReverseProxy__Clusters__api-gateway__Destinations__*)")]
    public async Task Proxy_routes_and_clusters_that_cannot_work_stop_the_start_and_are_named(string variable, string value, string problem)
    {
        var settings = GatewayHost.Settings();
        settings[variable] = value;

        var (exitCode, output) = await RunUntilExitAsync(settings);

        exitCode.ShouldBe(1, output);
        var fatal = FatalLine(output);
        fatal.ShouldContain("Invalid configuration");
        fatal.ShouldContain("ReverseProxy__");
        fatal.ShouldContain(problem);
        output.ShouldNotContain("Unhandled exception");
    }

    /// <summary>The one fatal log line a refused start writes.</summary>
    private static string FatalLine(string output) =>
        output.Split('\n').Single(line => line.Contains("\"@l\":\"Fatal\"", StringComparison.Ordinal));

    /// <summary>Starts the gateway with settings it must refuse and returns its exit code and everything it wrote.</summary>
    private static async Task<(int ExitCode, string Output)> RunUntilExitAsync(Dictionary<string, string?> settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ServiceProcess.BuildOutput(GatewayHost.Project, GatewayHost.Assembly));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{BrokerInstance.FreePort()}");
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        // A gateway that started despite a bad setting runs until the timeout, which fails the test with its output.
        var run = await ToolRun.RunAsync(start, TimeSpan.FromSeconds(60));
        return (run.ExitCode, run.Everything);
    }
}
