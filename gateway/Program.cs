using Fleetman.Gateway;
using Fleetman.ServiceDefaults;

return await FleetmanService.RunAsync(args, builder => builder.AddGateway(), app => app.MapGateway(), useFirst: app => app.UseGatewayEdge());
