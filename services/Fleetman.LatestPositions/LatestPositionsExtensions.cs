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

/// <summary>
/// Section <c>LatestPositions</c>: where in Redis the latest positions live (tests give each run its own prefix) and how
/// long a silent vehicle stays in the fleet.
/// </summary>
public sealed class LatestPositionsOptions : IValidatableObject
{
    public const string SectionName = "LatestPositions";

    public static readonly TimeSpan MinRetention = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxRetention = TimeSpan.FromDays(7);

    [Required(AllowEmptyStrings = false)]
    public string KeyPrefix { get; set; } = LatestPositionCache.DefaultKeyPrefix;

    /// <summary>
    /// A vehicle not heard from for this long leaves the fleet: the queue-consumer's sweep removes it from the latest
    /// positions (its history stays), and the tracker leaves it out when it reads the store instead of Redis.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the queue-consumer looks for silent vehicles; at most the retention.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Retention < MinRetention || Retention > MaxRetention)
        {
            yield return new($"LatestPositions__Retention must be between {MinRetention:c} and {MaxRetention:c}, like 00:05:00; it is {Retention:c}.", [nameof(Retention)]);
        }

        if (SweepInterval < TimeSpan.FromSeconds(1) || SweepInterval > Retention)
        {
            yield return new($"LatestPositions__SweepInterval must be between 00:00:01 and the retention ({Retention:c}), like 00:00:30; it is {SweepInterval:c}.", [nameof(SweepInterval)]);
        }
    }
}

public static class LatestPositionsExtensions
{
    /// <summary>
    /// Adds the Redis connection (made in the background from the start; the service starts even while Redis is down and
    /// reconnects by itself), the latest-position cache and a "redis" readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddLatestPositions(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<LatestPositionsConnectionOptions>("ConnectionStrings", static (section, options) => section.Bind(options));
        builder.AddValidatedOptions<LatestPositionsOptions>(LatestPositionsOptions.SectionName, static (section, options) => section.Bind(options));
        // Connected in the background from the host's start, so that readiness finds the connection made (or being
        // made) instead of making it, and no thread waits for Redis (RedisConnection says why).
        builder.Services.AddSingleton(provider => new RedisConnection(provider.GetRequiredService<IOptions<LatestPositionsConnectionOptions>>().Value.Redis));
        builder.Services.AddHostedService<RedisConnector>();
        builder.Services.AddSingleton(provider => new LatestPositionCache(
            provider.GetRequiredService<RedisConnection>(),
            provider.GetRequiredService<IOptions<LatestPositionsOptions>>().Value.KeyPrefix,
            provider.GetService<TimeProvider>()));
        // The check pings through the service's own connection (no second one just for health), within 2 s.
        builder.Services.AddHealthChecks().AddCheck<RedisReadinessCheck>("redis", tags: [Extensions.ReadyTag], timeout: TimeSpan.FromSeconds(2));
        return builder;
    }
}
