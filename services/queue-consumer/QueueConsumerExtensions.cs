using Fleetman.LatestPositions;
using Fleetman.Messaging;
using Fleetman.PositionStore;
using Fleetman.QueueConsumer.Events;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleetman.QueueConsumer;

/// <summary>What the queue-consumer is made of.</summary>
public static class QueueConsumerExtensions
{
    public static WebApplicationBuilder AddQueueConsumer(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<QueueConsumerPipelineOptions>(QueueConsumerPipelineOptions.SectionName, static (section, options) => section.Bind(options));
        builder.AddFleetEvents();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddPositionStore();
        builder.AddLatestPositions();
        builder.Services.AddStoredPositionsFollowUp();
        builder.AddMessaging()
            .AddBatchConsumer<PositionReported, StorePositionsHandler>("Consumer")
            // fleetman_messaging_queue_depth{queue="positionQueue"}: what the depth alert and the KEDA autoscaler read.
            .AddQueueDepthGauge<PositionReported>()
            .AddConsumer<VehiclesRetired, RetireVehiclesHandler>("Retirements");
        builder.Services.AddHostedService<RetirementSweeper>();
        return builder;
    }

    /// <summary>
    /// The follow-up of stored batches (Redis, announcements), registered before the consumers: hosted services stop in
    /// reverse order, so the consumers stop handing batches over before it finishes the ones it holds.
    /// </summary>
    internal static IServiceCollection AddStoredPositionsFollowUp(this IServiceCollection services)
    {
        services.TryAddSingleton<StoredPositionsFollowUp>();
        services.AddHostedService(provider => provider.GetRequiredService<StoredPositionsFollowUp>());
        return services;
    }
}
