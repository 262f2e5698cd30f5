using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Fleetman.LatestPositions;

/// <summary>
/// The service's one Redis connection, made asynchronously in the background from the host's start
/// (<see cref="RedisConnector"/>), never on a caller's thread: the synchronous <c>ConnectionMultiplexer.Connect</c> this
/// replaces held a thread-pool thread for up to its connect timeout (5 s) in the first caller that resolved it, a
/// readiness probe or a request, and every caller behind it on the container's lock. With Redis unreachable on a busy
/// machine that was enough to starve the pool, and the api-gateway stopped answering even <c>/healthz/live</c>.
/// Like the connection it replaces, once made it reconnects by itself and fails commands at once while disconnected.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions? _configuration;
    private readonly Lock _gate = new();
    private Task<IConnectionMultiplexer>? _connecting;

    /// <param name="configuration">A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=…</c>.</param>
    public RedisConnection(string configuration)
    {
        _configuration = ConfigurationOptions.Parse(configuration);
        _configuration.AbortOnConnectFail = false;
        // While Redis is not connected, fail at once instead of parking the command in the client's backlog for the
        // 5 s command timeout. Every caller has a way on without Redis (the queue-consumer stores and announces
        // anyway, the tracker reads the store), but only if it is not made to wait: parked, each consumer batch
        // stalled 5 s and the tracker's fallback came after the api-gateway's 2 s budget, so the live map froze for
        // the whole outage (tests/Fleetman.Chaos.Tests).
        _configuration.BacklogPolicy = BacklogPolicy.FailFast;
    }

    /// <summary>A connection already made elsewhere (tests that share one), which the caller closes.</summary>
    public RedisConnection(IConnectionMultiplexer connected) => _connecting = Task.FromResult(connected);

    /// <summary>
    /// The connection once its first attempt is over (connected or not: it keeps trying by itself), null before.
    /// </summary>
    public IConnectionMultiplexer? Made => _connecting is { IsCompletedSuccessfully: true } made ? made.Result : null;

    /// <summary>Starts connecting, once; the host's start calls it, the first caller otherwise.</summary>
    public Task<IConnectionMultiplexer> ConnectAsync()
    {
        lock (_gate)
        {
            // Task.Run: ConnectAsync parses, resolves and opens sockets synchronously before its first await.
            return _connecting ??= Task.Run(async () => (IConnectionMultiplexer)await ConnectionMultiplexer.ConnectAsync(_configuration!));
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Only a connection this made is closed here (one given to it has no configuration). One still being made is
        // closed when its attempt is over: waiting for it here would hold the service's stop for the connect timeout.
        if (_configuration is null || _connecting is not { } connecting)
        {
            return;
        }

        if (connecting.IsCompletedSuccessfully)
        {
            await connecting.Result.DisposeAsync();
        }
        else
        {
            _ = connecting.ContinueWith(static made => made.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
    }
}

/// <summary>Starts the Redis connection with the host, without waiting for it.</summary>
internal sealed class RedisConnector(RedisConnection connection) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = connection.ConnectAsync();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Ready while Redis answers through the service's own connection (AspNetCore.HealthChecks.Redis's check, given that
/// connection); not ready while the connection's first attempt is still under way. The check never makes the connection
/// itself, so a probe neither waits for it nor holds a thread.
/// </summary>
internal sealed class RedisReadinessCheck(RedisConnection connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (connection.Made is not { } redis)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "Connecting to Redis."));
        }

        // Given the connection, the library's check opens none of its own: it pings every endpoint through this one.
        return new HealthChecks.Redis.RedisHealthCheck(redis).CheckHealthAsync(context, cancellationToken);
    }
}
