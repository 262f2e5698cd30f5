using System.ComponentModel.DataAnnotations;
using Fleetman.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fleetman.LatestPositions;

/// <summary>
/// Where Redis is. Bound from <c>ConnectionStrings</c>: <c>ConnectionStrings__Redis</c>. Named after this project so it
/// is not mistaken for the options classes of StackExchange.Redis and the SignalR backplane, which are called RedisOptions.
/// </summary>
public sealed class LatestPositionsConnectionOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=…</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Redis { get; set; } = "";
}

/// <summary>Section <c>LatestPositions</c>: where in Redis the latest positions live (tests give each run its own prefix).</summary>
public sealed class LatestPositionsOptions
{
    [Required(AllowEmptyStrings = false)]
    public string KeyPrefix { get; set; } = LatestPositionCache.DefaultKeyPrefix;
}

public static class LatestPositionsExtensions
{
    /// <summary>
    /// Adds the Redis connection (the service starts even while Redis is down and reconnects by itself), the
    /// latest-position cache and a "redis" readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddLatestPositions(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<LatestPositionsConnectionOptions>("ConnectionStrings");
        builder.AddValidatedOptions<LatestPositionsOptions>("LatestPositions");
        builder.Services.AddSingleton<IConnectionMultiplexer>(provider =>
        {
            var configuration = ConfigurationOptions.Parse(provider.GetRequiredService<IOptions<LatestPositionsConnectionOptions>>().Value.Redis);
            configuration.AbortOnConnectFail = false;
            // While Redis is not connected, fail at once instead of parking the command in the client's backlog for the
            // 5 s command timeout. Every caller has a way on without Redis (the queue-consumer stores and announces
            // anyway, the tracker reads the store), but only if it is not made to wait: parked, each consumer batch
            // stalled 5 s and the tracker's fallback came after the api-gateway's 2 s budget, so the live map froze for
            // the whole outage (tests/Fleetman.Chaos.Tests).
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
            return ConnectionMultiplexer.Connect(configuration);
        });
        builder.Services.AddSingleton(provider => new LatestPositionCache(
            provider.GetRequiredService<IConnectionMultiplexer>(),
            provider.GetRequiredService<IOptions<LatestPositionsOptions>>().Value.KeyPrefix));
        // The check pings through the service's own connection (no second one just for health), within 2 s.
        builder.Services.AddHealthChecks().AddRedis(
            provider => provider.GetRequiredService<IConnectionMultiplexer>(),
            name: "redis",
            tags: [Extensions.ReadyTag],
            timeout: TimeSpan.FromSeconds(2));
        return builder;
    }
}
