using Fleetman.ApiGateway;
using Fleetman.ApiGateway.Apis;
using Fleetman.ApiGateway.Live;
using Fleetman.ServiceDefaults;

var builder = FleetmanService.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApiGateway();

var app = builder.Build();
app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapVehiclesApi();
app.MapFleetApi();
app.MapEventsApi();
app.UseHubAdmission();
app.MapVehicleHub();
return await app.RunServiceAsync();
