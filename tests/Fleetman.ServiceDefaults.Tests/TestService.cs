using Microsoft.AspNetCore.Hosting;

namespace Fleetman.ServiceDefaults.Tests;

/// <summary>A service built the way every Fleetman service is, on a real Kestrel at a free loopback port.</summary>
internal sealed class TestService : IAsyncDisposable
{
    private TestService(WebApplication app, LogCapture logs)
    {
        App = app;
        Logs = logs;
        // The service's own address first; a management port, when configured, comes after it.
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    /// <summary>What the service wrote to its log (stdout in production).</summary>
    public LogCapture Logs { get; }

    /// <summary>Builds the app (not started): settings, then AddServiceDefaults, then <paramref name="configure"/>, then MapDefaultEndpoints.</summary>
    public static WebApplication Build(
        TextWriter? logs,
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null,
        Action<IConfigurationBuilder>? configureSources = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // The machine's own environment must not switch the exporter on.
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        configureSources?.Invoke(builder.Configuration);

        builder.AddServiceDefaults(logs);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        map?.Invoke(app);
        return app;
    }

    public static async Task<TestService> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null,
        Action<IConfigurationBuilder>? configureSources = null)
    {
        var logs = new LogCapture();
        var app = Build(logs, settings, configure, map, configureSources);
        await app.StartAsync();
        return new TestService(app, logs);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
