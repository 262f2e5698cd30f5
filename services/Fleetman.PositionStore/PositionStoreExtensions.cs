using Fleetman.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleetman.PositionStore;

public static class PositionStoreExtensions
{
    /// <summary>
    /// Adds <see cref="IPositionStore"/> (a singleton; options from the "Store" section, validated at start), a hosted
    /// service that initializes it when the host starts and keeps retrying while the store cannot be reached, and a
    /// "store" readiness check. Calling it again changes nothing; an <see cref="IPositionStore"/> registered before is kept.
    /// <code>builder.AddPositionStore();</code>
    /// </summary>
    public static IHostApplicationBuilder AddPositionStore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(service => service.ServiceType == typeof(PositionStoreInitializer)))
        {
            return builder;
        }

        builder.AddValidatedOptions<PositionStoreOptions>(PositionStoreOptions.SectionName);
        builder.Services.TryAddSingleton(provider => CreateStore(provider.GetRequiredService<IOptions<PositionStoreOptions>>().Value));
        builder.Services.AddSingleton<PositionStoreInitializer>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<PositionStoreInitializer>());
        builder.Services.AddHealthChecks().AddCheck<PositionStoreHealthCheck>("store", tags: [Extensions.ReadyTag]);
        return builder;
    }

    // The container created it, so the container disposes it (closing the SQLite pool or the MongoDB client) at exit.
    internal static IPositionStore CreateStore(PositionStoreOptions options) => options.Provider switch
    {
        PositionStoreProvider.Sqlite => new SqlitePositionStore(options.SqlitePath),
        PositionStoreProvider.MongoDb => new MongoPositionStore(options.MongoConnectionString!, options.MongoDatabase),
        _ => throw new InvalidOperationException($"Unknown position store provider '{options.Provider}'."),
    };
}

/// <summary>
/// Initializes the store when the host starts. The first attempt is awaited, so the services that use the store
/// normally start with it ready; it is bounded, because a store that is down must not keep the host from starting
/// (the liveness probe would fail and Kubernetes would restart the pod in a loop). After that, attempts continue in
/// the background with a growing delay, and the readiness check reports the store not ready until one succeeds.
/// </summary>
internal sealed partial class PositionStoreInitializer(IPositionStore store, ILogger<PositionStoreInitializer> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _retrying;
    private volatile bool _initialized;
    private volatile string? _lastError;

    /// <summary>How long one attempt may take; MongoDB's client would otherwise wait 30 s to select a server.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    public bool IsInitialized => _initialized;

    /// <summary>Why the last attempt failed; null once initialized.</summary>
    public string? LastError => _lastError;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await TryInitializeAsync(attempt: 1, MinRetryDelay, cancellationToken))
        {
            _retrying = RetryAsync(_stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_retrying is { } retrying)
        {
            await retrying.WaitAsync(cancellationToken);
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RetryAsync(CancellationToken stopping)
    {
        var delay = MinRetryDelay;
        try
        {
            for (var attempt = 2; ; attempt++)
            {
                await Task.Delay(delay, stopping);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                if (await TryInitializeAsync(attempt, delay, stopping))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task<bool> TryInitializeAsync(int attempt, TimeSpan nextDelay, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AttemptTimeout);
        try
        {
            await store.InitializeAsync(timeout.Token);
            _lastError = null;
            _initialized = true;
            LogInitialized(logger, store, attempt);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            _lastError = e is OperationCanceledException ? $"no answer within {AttemptTimeout.TotalSeconds:0.#} s" : e.Message;
            LogUnavailable(logger, e, store, attempt, nextDelay.TotalSeconds);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Position store ready: {Store} (attempt {Attempt})")]
    private static partial void LogInitialized(ILogger logger, IPositionStore store, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Position store unavailable: {Store} (attempt {Attempt}); retrying in {RetrySeconds} s")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, IPositionStore store, int attempt, double retrySeconds);
}

/// <summary>Ready once the store is initialized and while it answers a ping within a few seconds.</summary>
internal sealed class PositionStoreHealthCheck(IPositionStore store, PositionStoreInitializer initializer) : IHealthCheck
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!initializer.IsInitialized)
        {
            return HealthCheckResult.Unhealthy($"{store} is not initialized: {initializer.LastError ?? "first attempt in progress"}.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PingTimeout);
        try
        {
            await store.PingAsync(timeout.Token);
            return HealthCheckResult.Healthy($"{store} answers.");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? $"no answer within {PingTimeout.TotalSeconds:0} s" : e.Message;
            return HealthCheckResult.Unhealthy($"{store} does not answer: {reason}", e);
        }
    }
}
