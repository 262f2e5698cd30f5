using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Fleetman.Testing;

/// <summary>
/// A Fleetman service hosted in the test process (its own Program, its own appsettings.json) on Kestrel at a free
/// loopback port, configured with the same settings a process would get as environment variables
/// (<c>Section__Key</c>). Every service's Program is the global <c>Program</c>, so <typeparamref name="TMarker"/> is any
/// public type of the service's assembly (its options class) that tells the factory which entry point to run.
/// </summary>
public sealed class InProcessService<TMarker> : WebApplicationFactory<TMarker>
    where TMarker : class
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    internal InProcessService(IDictionary<string, string?> environment, Action<IServiceCollection>? services = null)
    {
        _services = services;
        // A test project that hosts several services has one appsettings.json in its output (the last one copied), and
        // the services read theirs from beside their assembly: the service's own file is given first, explicitly.
        _settings = OwnSettings();
        foreach (var (key, value) in environment)
        {
            // As the environment variable provider reads them: "__" separates sections.
            _settings[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        _settings.TryAdd("OTEL_EXPORTER_OTLP_ENDPOINT", ""); // the machine's own environment must not switch the exporter on
        ManagementPort = int.TryParse(_settings.GetValueOrDefault("Management:Port"), NumberStyles.None, CultureInfo.InvariantCulture, out var management) && management > 0
            ? management
            : null;
        // The ports are Kestrel endpoints, which the factory puts into the web host's services before the service's
        // Program builds its host; the Program's own Run then starts the server on them. UseKestrel(port) instead
        // writes the server's addresses after the host is built, from the test's thread, while the Program's thread
        // goes on to start the server: on a loaded machine the server has started first and its addresses can no
        // longer be changed.
        UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            if (ManagementPort is { } port)
            {
                // The factory's listener replaces the addresses the service adds for its management port (as a
                // process it listens there too): the same second port, on loopback.
                kestrel.Listen(IPAddress.Loopback, port);
            }
        });
    }

    private static Dictionary<string, string?> OwnSettings()
    {
        var assembly = typeof(TMarker).Assembly.GetName().Name!;
        // Services live in services/<name>/, the edge in gateway/: two levels below the root are enough, and the
        // webapp's node_modules are never walked.
        var project = Directory.GetFiles(Repository.Root, assembly + ".csproj", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2 }).Single();
        var file = Path.Combine(Path.GetDirectoryName(project)!, "appsettings.json");
        return new ConfigurationBuilder().AddJsonFile(file, optional: true).Build().AsEnumerable()
            .Where(setting => setting.Value is not null)
            .ToDictionary(setting => setting.Key, setting => setting.Value);
    }

    /// <summary>Where the service listens (http://127.0.0.1:port/).</summary>
    public Uri Address { get; internal set; } = null!;

    /// <summary>The second port the service listens on when <c>Management__Port</c> is set.</summary>
    public int? ManagementPort { get; }

    /// <summary>What the service logged, as its log lines would say it (level, category, rendered message).</summary>
    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>A client of the service with <see cref="Address"/> as its base address.</summary>
    public HttpClient Http { get; internal set; } = null!;

    public async Task<T> GetJsonAsync<T>(string path) =>
        (await Http.GetFromJsonAsync<T>(new Uri(path, UriKind.Relative), JsonSerializerOptions.Web))!;

    protected override IHost CreateHost(IHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Host configuration reaches the Program as arguments, so settings are there before it reads any of them.
        builder.ConfigureHostConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        builder.UseEnvironment(Environments.Production);
        // Beside the service's own JSON lines (which go to standard output), so tests can read what it logged.
        builder.ConfigureLogging(logging => logging.AddFakeLogging());
        if (_services is not null)
        {
            // After the service's own registrations: a test's replacement wins, and its Configure runs after the
            // service's own (every PostConfigure still runs after both).
            builder.ConfigureServices(_services);
        }

        return base.CreateHost(builder);
    }

    public override async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        await base.DisposeAsync();
    }
}

/// <summary>Starts services in-process: <c>await InProcessService.StartAsync&lt;TrackerOptions&gt;(settings)</c>.</summary>
public static class InProcessService
{
    /// <summary>
    /// Builds and starts the service; fails (naming the setting) as the process would if it cannot start.
    /// <paramref name="services"/> changes the service's registrations, e.g. its clock or its JSON options.
    /// </summary>
    public static async Task<InProcessService<TMarker>> StartAsync<TMarker>(IDictionary<string, string?> environment, Action<IServiceCollection>? services = null)
        where TMarker : class
    {
        ArgumentNullException.ThrowIfNull(environment);
        var service = new InProcessService<TMarker>(environment, services);
        try
        {
            service.StartServer();
            var addresses = service.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            service.Address = new Uri(addresses.First(address => service.ManagementPort is not { } management || new Uri(address).Port != management).Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
            service.Http = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(10) };
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }
}
