using Fleetman.Messaging;
using Fleetman.PositionSimulator;
using Fleetman.ServiceDefaults;

var builder = FleetmanService.CreateBuilder(args);
builder.AddServiceDefaults();
// The producer reads positionQueue's depth too (fleetman_messaging_queue_depth): the backlog alert must see the queue
// grow when no queue-consumer runs, which is when it matters most.
builder.AddMessaging().AddQueueDepthGauge<Fleetman.Contracts.PositionReported>();
builder.AddPositionSimulator();

var app = builder.Build();
app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapSimulatorApi();
app.MapStreetsApi();
return await app.RunServiceAsync();
