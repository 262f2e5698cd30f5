using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Fleetman.PositionStore;

public static class PositionStoreExtensions
{
    /// <summary>
    /// Adds <see cref="IPositionStore"/> and the same store as <see cref="IFleetEventStore"/> (a singleton; options from the "Store" section, validated at start), a hosted
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

        builder.AddValidatedOptions<PositionStoreOptions>(PositionStoreOptions.SectionName, static (section, options) => section.Bind(options));
        builder.Services.TryAddSingleton(provider => CreateStore(provider.GetRequiredService<IOptions<PositionStoreOptions>>().Value));
        // Fleet events live beside the positions: every store is both.
        builder.Services.TryAddSingleton(provider => provider.GetRequiredService<IPositionStore>() as IFleetEventStore
            ?? throw new InvalidOperationException($"The position store {provider.GetRequiredService<IPositionStore>()} does not keep fleet events."));
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
/// the background with a growing delay (a Polly retry pipeline), and the readiness check reports the store not ready
/// until one succeeds.
/// </summary>
internal sealed partial class PositionStoreInitializer(IPositionStore store, ILogger<PositionStoreInitializer> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private Task? _initializing;
    private volatile bool _initialized;
    private volatile string? _lastError;

    /// <summary>How long one attempt may take; MongoDB's client would otherwise wait 30 s to select a server.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The delay after the first failed attempt; it doubles after each further one, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    public bool IsInitialized => _initialized;

    /// <summary>Why the last attempt failed; null once initialized.</summary>
    public string? LastError => _lastError;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _initializing = InitializeAsync(firstAttempt, _stopping.Token);
        await firstAttempt.Task.WaitAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may be disposed before it is stopped (an in-process test host at the end of its test): its container
        // has disposed this already and there is nothing left to stop.
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_initializing is { } initializing)
        {
            await initializing.WaitAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Dispose();
        }
    }

    /// <summary>Attempts until one succeeds or the host stops; <paramref name="firstAttempt"/> completes after the first.</summary>
    private async Task InitializeAsync(TaskCompletionSource firstAttempt, CancellationToken stopping)
    {
        var attempts = 0;
        try
        {
            await Pipeline(firstAttempt).ExecuteAsync(
                async token =>
                {
                    attempts++;
                    await store.InitializeAsync(token);
                },
                stopping);
            _lastError = null;
            _initialized = true;
            LogInitialized(logger, store, attempts);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            firstAttempt.TrySetResult();
        }
    }

    // Retries forever (the store may come much later than the service), 1, 2, 4 ... 30 s apart; each attempt bounded.
    private ResiliencePipeline Pipeline(TaskCompletionSource firstAttempt) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && !args.Context.CancellationToken.IsCancellationRequested),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = false,
            Delay = MinRetryDelay,
            MaxDelay = MaxRetryDelay,
            OnRetry = args =>
            {
                var e = args.Outcome.Exception!;
                _lastError = e is TimeoutRejectedException or OperationCanceledException ? $"no answer within {AttemptTimeout.TotalSeconds:0.#} s" : e.Message;
                LogUnavailable(logger, e, store, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds);
                firstAttempt.TrySetResult();
                return default;
            },
        })
        .AddTimeout(AttemptTimeout)
        .Build();

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
