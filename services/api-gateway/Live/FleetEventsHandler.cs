using Fleetman.Messaging;

namespace Fleetman.ApiGateway.Live;

/// <summary>Takes each announcement from this replica's subscription to the fleet-events topic to its connections.</summary>
internal sealed class FleetEventsHandler(LiveUpdates live) : IMessageHandler<FleetEventsOccurred>
{
    public Task HandleAsync(MessageContext<FleetEventsOccurred> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Message.Events.Any(e => e is null || string.IsNullOrEmpty(e.Id) || string.IsNullOrEmpty(e.Vehicle)))
        {
            message.Reject("the announcement holds an event without an id or a vehicle");
            return Task.CompletedTask;
        }

        live.Announce([.. message.Message.Events.Select(FleetEventResponse.From)]);
        return Task.CompletedTask;
    }
}
