using Fleetman.ApiGateway;
using Fleetman.ApiGateway.Apis;
using Fleetman.ApiGateway.Live;

return await FleetmanService.RunAsync(args, builder => builder.AddApiGateway(), app =>
{
    app.MapOpenApi();
    app.MapVehiclesApi();
    app.MapFleetApi();
    app.MapEventsApi();
    app.UseHubAdmission();
    app.MapVehicleHub();
});
