using Fleetman.Contracts;
using Fleetman.Messaging;

namespace Fleetman.ApiGateway.Live;

/// <summary>Takes each removal from this replica's subscription to the vehicle-removals topic to its connections.</summary>
internal sealed class VehiclesRemovedHandler(LiveUpdates live) : IMessageHandler<VehiclesRemoved>
{
    public Task HandleAsync(MessageContext<VehiclesRemoved> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Message.Names.Any(string.IsNullOrEmpty))
        {
            message.Reject("the removal holds an empty vehicle name");
            return Task.CompletedTask;
        }

        live.Remove(message.Message.Names);
        return Task.CompletedTask;
    }
}
