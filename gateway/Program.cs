using Fleetman.Gateway;

return await FleetmanService.RunAsync(args, builder => builder.AddGateway(), app => app.MapGateway(), useFirst: app => app.UseGatewayEdge());
