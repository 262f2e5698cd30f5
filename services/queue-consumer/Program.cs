using Fleetman.QueueConsumer;
using Fleetman.ServiceDefaults;

var builder = FleetmanService.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddQueueConsumer();

var app = builder.Build();
app.MapDefaultEndpoints();
return await app.RunServiceAsync();
