using Fleetman.QueueConsumer;
using Fleetman.ServiceDefaults;

return await FleetmanService.RunAsync(args, builder => builder.AddQueueConsumer());
