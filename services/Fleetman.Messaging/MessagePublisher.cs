using System.Diagnostics;

namespace Fleetman.Messaging;

/// <summary>Publishes typed messages as persistent JSON, each confirmed by a broker receipt.</summary>
public interface IMessagePublisher
{
    /// <summary>
    /// Completes when the broker has the message (stored, for a queue). Calls may overlap freely: they are pipelined
    /// on one connection. Waits through broker outages up to the send timeout, then throws <see cref="BrokerUnavailableException"/>.
    /// </summary>
    Task PublishAsync<TMessage>(Destination destination, TMessage message, CancellationToken cancellationToken = default)
        where TMessage : notnull;
}

public sealed class MessagePublisher(BrokerClient client) : IMessagePublisher
{
    public async Task PublishAsync<TMessage>(Destination destination, TMessage message, CancellationToken cancellationToken = default)
        where TMessage : notnull
    {
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{destination.Name} publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "activemq");
        activity?.SetTag("messaging.destination.name", destination.Name);

        var headers = new List<KeyValuePair<string, string>>(6)
        {
            new("persistent", "true"),
            new("content-type", MessageSerializer.ContentType),
            new("type", MessageSerializer.TypeName<TMessage>()),
        };
        TraceContext.Inject(activity ?? Activity.Current, headers);

        await client.SendAsync(destination, headers, MessageSerializer.Serialize(message), cancellationToken);
        MessagingTelemetry.Published.Add(1, MessagingTelemetry.DestinationTag(destination));
    }
}
