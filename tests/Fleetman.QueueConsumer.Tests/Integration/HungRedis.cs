using StackExchange.Redis;

namespace Fleetman.QueueConsumer.Tests.Integration;

/// <summary>
/// The real Redis behind a <see cref="FreezableProxy"/>, and a client connected through it as the services connect
/// (no abort on a failed connect, no backlog) with a 500 ms command timeout: frozen, Redis hangs as an overloaded one does.
/// </summary>
internal sealed class HungRedis(FreezableProxy proxy, ConnectionMultiplexer client) : IAsyncDisposable
{
    public FreezableProxy Proxy => proxy;

    public ConnectionMultiplexer Client => client;

    public static async Task<HungRedis> ConnectAsync()
    {
        var options = ConfigurationOptions.Parse(await BrokerInstance.Shared().RedisConnectionStringAsync());
        var (host, port) = options.EndPoints[0] switch
        {
            DnsEndPoint dns => (dns.Host, dns.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            var other => throw new InvalidOperationException($"Unexpected Redis endpoint {other}"),
        };
        var proxy = new FreezableProxy(host, port);
        options.EndPoints.Clear();
        options.EndPoints.Add(IPAddress.Loopback, proxy.Port);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.AsyncTimeout = 500;
        options.SyncTimeout = 500;
        return new HungRedis(proxy, await ConnectionMultiplexer.ConnectAsync(options));
    }

    public async ValueTask DisposeAsync()
    {
        await client.DisposeAsync();
        await proxy.DisposeAsync();
    }
}
