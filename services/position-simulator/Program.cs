using Fleetman.Messaging;
using Fleetman.PositionSimulator;
using Fleetman.ServiceDefaults;

var builder = FleetmanService.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddMessaging();
builder.AddPositionSimulator();

var app = builder.Build();
app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapSimulatorApi();
app.MapStreetsApi();
return await app.RunServiceAsync();
