using Fleetman.Messaging;
using Fleetman.PositionSimulator;

return await FleetmanService.RunAsync(
    args,
    builder =>
    {
        // The producer reads positionQueue's depth too (fleetman_messaging_queue_depth): the backlog alert must see the
        // queue grow when no queue-consumer runs, which is when it matters most.
        builder.AddMessaging().AddQueueDepthGauge<PositionReported>();
        builder.AddPositionSimulator();
    },
    app =>
    {
        app.MapOpenApi();
        app.MapSimulatorApi();
        app.MapStreetsApi();
    });
