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
        builder.Services.AddAnnouncementRetry();
        builder.AddMessaging()
            .AddBatchConsumer<PositionReported, StorePositionsHandler>("Consumer")
            // fleetman_messaging_queue_depth{queue="positionQueue"}: what the depth alert and the KEDA autoscaler read.
            .AddQueueDepthGauge<PositionReported>()
            .AddConsumer<VehiclesRetired, RetireVehiclesHandler>("Retirements");
        builder.Services.AddHostedService<RetirementSweeper>();
        return builder;
    }
}
