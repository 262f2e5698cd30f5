using Fleetman.QueueConsumer;

return await FleetmanService.RunAsync(args, builder => builder.AddQueueConsumer());
