using Microsoft.AspNetCore.Builder;

namespace Fleetman.ServiceDefaults;

/// <summary>How every Fleetman service starts its builder.</summary>
public static class FleetmanService
{
    /// <summary>
    /// A web application builder whose content root is the service's own folder (where its appsettings.json is
    /// copied), not the working directory: the local run and the tests start services from the repository root,
    /// and a service's settings must apply wherever it is started from.
    /// Started as <c>dotnet &lt;Service&gt;.dll healthcheck [path]</c> (a container's health command), it runs
    /// <see cref="HealthCheckCommand"/> instead and exits with its code, before any of the service is built.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        if (HealthCheckCommand.IsRequested(args))
        {
            Environment.Exit(HealthCheckCommand.RunAsync(args, Environment.GetEnvironmentVariable, Console.Out).GetAwaiter().GetResult());
        }

        return WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    }
}
