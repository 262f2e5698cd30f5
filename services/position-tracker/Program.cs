using Fleetman.PositionStore;
using Fleetman.PositionTracker;
using Fleetman.PositionTracker.Apis;

// The course's Job and CronJob run this image with `args: ["retention-sweep"]`: sweep old history, then exit.
if (FleetmanService.IsCommand(args, RetentionSweepCommand.Name))
{
    return await RetentionSweepCommand.RunAsync(args, TimeProvider.System);
}

return await FleetmanService.RunAsync(args, builder => builder.AddPositionTracker(), app =>
{
    app.MapOpenApi();
    app.MapVehiclesApi();
    app.MapFleetApi();
    app.MapEventsApi();
});
