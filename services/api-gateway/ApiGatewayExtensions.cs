using Fleetman.ApiGateway.Apis;
using Fleetman.ApiGateway.Live;
using Fleetman.LatestPositions;
using Fleetman.Messaging;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Polly.Telemetry;
using StackExchange.Redis;
using BackplaneOptions = Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions;

namespace Fleetman.ApiGateway;

/// <summary>What the api-gateway is made of.</summary>
public static class ApiGatewayExtensions
{
    /// <summary>
    /// The REST facade over the tracker (with the last-known-position fallback; the vehicle list from memory), the SignalR hub with its Redis
    /// backplane and its admission (allowed origins, connections and negotiations per client), this replica's subscription to the updates topic, the metrics and the OpenAPI document.
    /// Readiness: Redis and the broker (their libraries' checks); the tracker is left out on purpose, since while it is
    /// down the gateway still answers from Redis.
    /// </summary>
    public static WebApplicationBuilder AddApiGateway(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddValidatedOptions<TrackerClientOptions>(TrackerClientOptions.SectionName, static (section, options) => section.Bind(options));
        builder.AddValidatedOptions<VehicleHubOptions>(VehicleHubOptions.SectionName, static (section, options) => section.Bind(options));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ApiGatewayMetrics>();
        // Strict numbers make the OpenAPI document say numbers are numbers (the web defaults would describe each as
        // "number or numeric string", and the webapp's types would follow), and a geofence's ring is read as numbers only.
        // The metadata generated at build time first (ApiGatewayJsonContext): what a trimmed build, which has no reflection, serializes with.
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiGatewayJsonContext.Default);
        });
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer<SharedProblemResponses>().AddDocumentTransformer<VehicleHubContract>());
        builder.AddLatestPositions();

        builder.AddTrackerClient();
        // The geofence routes that change something check the admin credentials here before passing them on.
        builder.AddAdminCredentials();
        builder.Services.AddSingleton<LastKnownPositions>();
        builder.AddValidatedOptions<VehicleListOptions>(VehicleListOptions.SectionName, static (section, options) => section.Bind(options));
        builder.Services.AddSingleton(provider => new VehicleList(
            provider.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions));
        builder.Services.AddHostedService<VehicleListSync>();

        builder.Services.AddSingleton<LiveUpdates>();
        builder.Services.AddHubAdmission();
        builder.Services.AddSingleton<SharedFrames>();
        builder.Services.AddSignalR(hub => hub.AddFilter<HubConnectionCap>())
            .AddJsonProtocol()
            .AddStackExchangeRedis();
        builder.Services.AddOptions<JsonHubProtocolOptions>().Configure<SharedFrames>((json, frames) => HubPayloadJson.WriteOnce(json.PayloadSerializerOptions, frames));
        builder.Services.AddOptions<HubOptions>().Configure<IOptions<VehicleHubOptions>>((hub, options) =>
            hub.KeepAliveInterval = TimeSpan.FromSeconds(options.Value.KeepAliveSeconds));
        builder.Services.AddOptions<BackplaneOptions>().Configure<IOptions<LatestPositionsConnectionOptions>, IOptions<VehicleHubOptions>>((backplane, redis, hub) =>
        {
            backplane.Configuration = ConfigurationOptions.Parse(redis.Value.Redis);
            backplane.Configuration.AbortOnConnectFail = false; // start (and keep trying) while Redis is down
            backplane.Configuration.ChannelPrefix = RedisChannel.Literal(hub.Value.BackplaneChannelPrefix);
        });
        // Concurrency stays 1 (the default): updates are handed on in the order they were published.
        builder.AddMessaging()
            .AddConsumer<VehiclePositionsUpdated, VehicleUpdatesHandler>("Updates")
            .AddConsumer<VehiclesRemoved, VehiclesRemovedHandler>("Removals")
            .AddConsumer<FleetEventsOccurred, FleetEventsHandler>("FleetEvents");
        return builder;
    }

    private static void AddTrackerClient(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TrackerClient>();
        builder.Services.AddHttpClient(TrackerClient.HttpClientName, (provider, http) =>
            {
                var tracker = provider.GetRequiredService<IOptions<TrackerClientOptions>>().Value;
                http.BaseAddress = tracker.BaseUri;
                // The resilience handler's total timeout bounds the request; this bounds reading the body after it.
                http.Timeout = TimeSpan.FromMilliseconds(2 * tracker.TimeoutMilliseconds);
            })
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions resilience, IServiceProvider provider) =>
            {
                var tracker = provider.GetRequiredService<IOptions<TrackerClientOptions>>().Value;
                resilience.TotalRequestTimeout.Timeout = TimeSpan.FromMilliseconds(tracker.TimeoutMilliseconds);
                resilience.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(tracker.AttemptTimeoutMilliseconds);
                resilience.Retry.MaxRetryAttempts = tracker.RetryAttempts;
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(100);
                // The circuit breaker must sample at least two attempt timeouts; its other defaults (open at 10% failures
                // over 100+ requests, for 5 s) let a busy gateway stop waiting on a dead tracker.
                var sampling = TimeSpan.FromMilliseconds(2 * tracker.AttemptTimeoutMilliseconds);
                if (resilience.CircuitBreaker.SamplingDuration < sampling)
                {
                    resilience.CircuitBreaker.SamplingDuration = sampling;
                }
            });
        // Polly logs every failed attempt, retry and timeout at Warning or Error: during an outage, lines for each request.
        // TrackerClient says once that the tracker went away and once that it is back; the circuit's moves stay visible,
        // and every event is still counted in Polly's metrics.
        builder.Services.Configure<TelemetryOptions>(telemetry => telemetry.SeverityProvider = arguments => arguments.Event.EventName switch
        {
            "OnCircuitOpened" => ResilienceEventSeverity.Warning,
            "OnCircuitClosed" or "OnCircuitHalfOpened" => ResilienceEventSeverity.Information,
            _ => ResilienceEventSeverity.Debug,
        });
    }
}
