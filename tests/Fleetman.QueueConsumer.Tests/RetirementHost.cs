namespace Fleetman.QueueConsumer.Tests;

/// <summary>
/// The retirement consumer as the queue-consumer hosts it, on the in-memory transport, over the cache and clock the
/// test gives: the unit tests' cache has no Redis, the integration tests' has the real one.
/// </summary>
internal static class RetirementHost
{
    public static async Task<IHost> StartAsync(
        LatestPositionCache cache, TimeProvider clock, IDictionary<string, string?> settings, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings) { ["Messaging:Transport"] = "InMemory" });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(cache);
        builder.Services.AddSingleton(clock);
        builder.AddMessaging().AddConsumer<VehiclesRetired, RetireVehiclesHandler>("Retirements");
        configure?.Invoke(builder);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public static async Task StopAsync(IHost? host)
    {
        if (host is not null)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    public static InMemoryBroker Broker(this IHost host) => host.Services.GetRequiredService<InMemoryBroker>();

    public static IMessagePublisher Publisher(this IHost host) => host.Services.GetRequiredService<IMessagePublisher>();
}
