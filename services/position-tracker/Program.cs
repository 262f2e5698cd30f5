using Fleetman.PositionTracker;
using Fleetman.PositionTracker.Apis;
using Fleetman.ServiceDefaults;

var builder = FleetmanService.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPositionTracker();

var app = builder.Build();
app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapVehiclesApi();
app.MapFleetApi();
return await app.RunServiceAsync();
