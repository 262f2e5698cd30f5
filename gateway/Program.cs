using Fleetman.Gateway;
using Fleetman.ServiceDefaults;

var builder = FleetmanService.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();
app.UseProblemDetailsForErrors();
app.UseGatewayEdge();
app.MapDefaultEndpoints();
app.MapGateway();
return await app.RunServiceAsync();
