using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

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

    /// <summary>
    /// A builder for a one-shot command of a service's binary (<c>dotnet Fleetman.PositionTracker.dll retention-sweep</c>,
    /// run by a Kubernetes Job from the service's own image): the service's configuration (its appsettings.json,
    /// environment variables, then <paramref name="args"/> as <c>--Section:Key=value</c>) and the same JSON log lines,
    /// without a web server, telemetry or health endpoints, which a process that exits in seconds has no use for.
    /// </summary>
    /// <param name="args">The command's own arguments (after its name), read as configuration.</param>
    /// <param name="logOutput">Where JSON log lines go; standard output when null. Tests pass their own writer.</param>
    public static HostApplicationBuilder CreateCommandBuilder(string[] args, TextWriter? logOutput = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddJsonLogging(Extensions.ServiceName(builder), logOutput);
        return builder;
    }
}
