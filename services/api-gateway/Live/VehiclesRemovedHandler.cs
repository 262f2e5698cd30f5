using Fleetman.ApiGateway.Apis;
using Fleetman.Messaging;

namespace Fleetman.ApiGateway.Live;

/// <summary>Takes each removal from this replica's subscription to the vehicle-removals topic to its vehicle list and its connections.</summary>
internal sealed class VehiclesRemovedHandler(LiveUpdates live, VehicleList list) : IMessageHandler<VehiclesRemoved>
{
    public Task HandleAsync(MessageContext<VehiclesRemoved> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Message.Names.Any(string.IsNullOrEmpty))
        {
            message.Reject("the removal holds an empty vehicle name");
            return Task.CompletedTask;
        }

        foreach (var name in message.Message.Names)
        {
            list.Remove(name);
        }

        live.Remove(message.Message.Names);
        return Task.CompletedTask;
    }
}
