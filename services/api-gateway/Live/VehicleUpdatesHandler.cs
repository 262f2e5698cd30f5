using Fleetman.ApiGateway.Apis;
using Fleetman.Messaging;

namespace Fleetman.ApiGateway.Live;

/// <summary>Takes each update from this replica's subscription to the vehicle-updates topic to its connections and its vehicle list.</summary>
internal sealed class VehicleUpdatesHandler(LiveUpdates live, VehicleList list) : IMessageHandler<VehiclePositionsUpdated>
{
    public Task HandleAsync(MessageContext<VehiclePositionsUpdated> message, CancellationToken cancellationToken)
    {
        if (message.Message.Positions is null)
        {
            message.Reject("the update has no positions");
            return Task.CompletedTask;
        }

        list.Apply(message.Message.Positions);
        live.Dispatch(message.Message);
        return Task.CompletedTask;
    }
}
