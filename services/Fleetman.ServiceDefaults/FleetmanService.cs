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
        if (IsCommand(args, HealthCheckCommand.Name))
        {
            Environment.Exit(HealthCheckCommand.RunAsync(args, Environment.GetEnvironmentVariable, Console.Out).GetAwaiter().GetResult());
        }

        return WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    }

    /// <summary>
    /// Whether the process is started to run the command <paramref name="name"/> (<see cref="HealthCheckCommand"/>, the
    /// tracker's retention sweep) instead of the service: its name is the first argument, in any case, as a container's
    /// health command or a Job's <c>args</c> give it. Anything after it is the command's own.
    /// </summary>
    public static bool IsCommand(IReadOnlyList<string> args, string name) =>
        args.Count > 0 && string.Equals(args[0], name, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Builds and runs a service the way every Fleetman service is made, and returns its exit code
    /// (<see cref="ServiceRunner.RunServiceAsync"/>): the builder of <see cref="CreateBuilder"/> with the service defaults,
    /// then <paramref name="addService"/>; errors as problem details, then <paramref name="useFirst"/>, the default
    /// endpoints, then <paramref name="mapService"/>.
    /// <code>return await FleetmanService.RunAsync(args, builder => builder.AddMyService(), app => app.MapMyApi());</code>
    /// </summary>
    /// <param name="args">The process's arguments.</param>
    /// <param name="addService">What the service is made of (its options, stores, consumers, ...).</param>
    /// <param name="mapService">The service's own middleware and endpoints, after the default ones so their requests are counted.</param>
    /// <param name="useFirst">Middleware every request passes before the default endpoints, the probes and /metrics too (the edge's headers).</param>
    public static async Task<int> RunAsync(
        string[] args, Action<WebApplicationBuilder> addService, Action<WebApplication>? mapService = null, Action<WebApplication>? useFirst = null)
    {
        ArgumentNullException.ThrowIfNull(addService);
        var builder = CreateBuilder(args);
        builder.AddServiceDefaults();
        addService(builder);

        var app = builder.Build();
        app.UseProblemDetailsForErrors();
        useFirst?.Invoke(app);
        app.MapDefaultEndpoints();
        mapService?.Invoke(app);
        return await app.RunServiceAsync();
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
