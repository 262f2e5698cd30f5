using System.Net.Sockets;
using Fleetman.PositionStore.Tests.Infrastructure;
using Fleetman.ServiceDefaults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fleetman.PositionStore.Tests.Integration;

/// <summary>AddPositionStore: settings, start-up initialization and the "store" readiness check.</summary>
public sealed class PositionStoreHostingTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Without_settings_the_store_is_a_sqlite_file_under_the_current_directory()
    {
        using var host = Builder([]).Build();

        var options = host.Services.GetRequiredService<IOptions<PositionStoreOptions>>().Value;

        options.Provider.ShouldBe(PositionStoreProvider.Sqlite);
        options.SqlitePath.ShouldBe(".fleetman/data/positions.db");
        options.MongoConnectionString.ShouldBeNull();
        options.MongoDatabase.ShouldBe("fleetman");
        using var store = PositionStoreExtensions.CreateStore(options).ShouldBeOfType<SqlitePositionStore>();
        store.Path.ShouldBe(Path.Combine(Environment.CurrentDirectory, ".fleetman", "data", "positions.db"));
    }

    [Fact]
    public async Task A_started_host_has_initialized_its_sqlite_store_and_reports_it_ready()
    {
        var path = _directory.File("data", "positions.db");
        using var host = Builder(new() { ["Store:SqlitePath"] = path }).Build();

        await host.StartAsync();

        File.Exists(path).ShouldBeTrue();
        var store = host.Services.GetRequiredService<IPositionStore>().ShouldBeOfType<SqlitePositionStore>();
        (await store.AppendAsync([new("truck", 51.5, -0.12, DateTimeOffset.UtcNow, null, null)], default)).ShouldBe(1);
        var health = await ReadinessAsync(host);
        health.Status.ShouldBe(HealthStatus.Healthy);
        health.Description.ShouldBe($"SQLite {path} answers.");
        await host.StopAsync();
    }

    [Fact]
    public void MongoDb_settings_select_the_MongoDB_store_without_connecting()
    {
        using var host = Builder(new()
        {
            ["Store:Provider"] = "MongoDb",
            ["Store:MongoConnectionString"] = "mongodb://fleetman:s3cret@mongo-0.mongo:27017,mongo-1.mongo:27017/?replicaSet=rs0",
            ["Store:MongoDatabase"] = "fleet",
        }).Build();

        var store = host.Services.GetRequiredService<IPositionStore>().ShouldBeOfType<MongoPositionStore>();

        // Named without the password, as the readiness check and the logs show it.
        store.ToString().ShouldBe("MongoDB database fleet at mongo-0.mongo:27017,mongo-1.mongo:27017");
    }

    [Theory]
    [InlineData("Store:Provider=MongoDb",
        "Store:MongoConnectionString (environment variable Store__MongoConnectionString): A connection string is required when Provider is MongoDb.")]
    [InlineData("Store:Provider=Postgres",
        "Store:Provider (environment variable Store__Provider): 'Postgres' is not a valid PositionStoreProvider.")]
    [InlineData("Store:Provider=7", "Store:Provider (environment variable Store__Provider)")]
    [InlineData("Store:SqlitePath=", "Store:SqlitePath (environment variable Store__SqlitePath): A file path is required when Provider is Sqlite.")]
    [InlineData("Store:Provider=MongoDb;Store:MongoConnectionString=mongodb://db;Store:MongoDatabase=",
        "Store:MongoDatabase (environment variable Store__MongoDatabase)")]
    public async Task Bad_settings_stop_the_host_at_start_naming_the_setting(string settings, string expected)
    {
        var values = settings.Split(';').Select(setting => setting.Split('=', 2)).ToDictionary(pair => pair[0], pair => (string?)pair[1]);
        using var host = Builder(values).Build();

        var error = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        error.Failures.ShouldHaveSingleItem().ShouldStartWith(expected);
    }

    [Fact]
    public async Task A_malformed_connection_string_is_named_without_repeating_its_password()
    {
        using var host = Builder(new()
        {
            ["Store:Provider"] = "MongoDb",
            ["Store:MongoConnectionString"] = "mongo://fleetman:s3cret@mongo:27017",
        }).Build();

        var error = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        var failure = error.Failures.ShouldHaveSingleItem();
        failure.ShouldStartWith("Store:MongoConnectionString (environment variable Store__MongoConnectionString): Not a valid MongoDB connection string");
        failure.ShouldNotContain("s3cret");
    }

    [Fact]
    public async Task A_store_that_cannot_be_initialized_lets_the_host_start_and_is_not_ready_until_a_retry_succeeds()
    {
        // The database's directory cannot be created while a file has its name.
        var blocker = _directory.File("data");
        await File.WriteAllTextAsync(blocker, "in the way");
        var path = Path.Combine(blocker, "positions.db");
        using var host = Builder(new() { ["Store:SqlitePath"] = path }).Build();

        await host.StartAsync();

        var health = await ReadinessAsync(host);
        health.Status.ShouldBe(HealthStatus.Unhealthy);
        health.Description.ShouldNotBeNull().ShouldStartWith($"SQLite {path} is not initialized: ");

        File.Delete(blocker);
        await Eventually.Until(
            async () => (await ReadinessAsync(host)).Status == HealthStatus.Healthy,
            TimeSpan.FromSeconds(15),
            async () => (await ReadinessAsync(host)).Description ?? "");
        File.Exists(path).ShouldBeTrue();
        await host.StopAsync();
    }

    [Fact]
    public async Task An_unreachable_MongoDB_server_lets_the_host_start_and_the_readiness_check_says_why()
    {
        var port = FreePort();
        using var host = Builder(new()
        {
            ["Store:Provider"] = "MongoDb",
            ["Store:MongoConnectionString"] = $"mongodb://127.0.0.1:{port}/?serverSelectionTimeoutMS=250&connectTimeoutMS=250",
        }).Build();
        var clock = Stopwatch.StartNew();

        await host.StartAsync();

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5), "the first attempt is bounded and the host starts without the store");
        var health = await ReadinessAsync(host);
        health.Status.ShouldBe(HealthStatus.Unhealthy);
        health.Description.ShouldNotBeNull().ShouldStartWith($"MongoDB database fleetman at 127.0.0.1:{port} is not initialized: A timeout occurred");
        await host.StopAsync();
    }

    [Fact]
    public async Task Adding_the_store_twice_registers_it_once()
    {
        var builder = Builder(new() { ["Store:SqlitePath"] = _directory.File("positions.db") });
        builder.AddPositionStore();
        using var host = builder.Build();
        await host.StartAsync();

        host.Services.GetServices<IHostedService>().OfType<PositionStoreInitializer>().Count().ShouldBe(1);
        // Two checks named "store" would make every health report fail.
        (await ReadinessAsync(host)).Status.ShouldBe(HealthStatus.Healthy);
        await host.StopAsync();
    }

    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        // No environment variables or appsettings files: only these settings.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPositionStore();
        return builder;
    }

    private static async Task<HealthReportEntry> ReadinessAsync(IHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Tags.Contains(Extensions.ReadyTag));
        return report.Entries["store"];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
