using System.Diagnostics;

namespace Fleetman.Messaging;

/// <summary>How the broker keeps a message.</summary>
public enum Delivery
{
    /// <summary>Stored by the broker before the send completes; survives a broker restart. For work that must not be lost.</summary>
    Persistent,

    /// <summary>Kept in memory only: for live notifications that are worthless once stale (a newer one follows anyway).</summary>
    Transient,
}

/// <summary>Publishes typed messages as JSON, each confirmed by a broker receipt.</summary>
public interface IMessagePublisher
{
    /// <summary>
    /// Completes when the broker has the message (stored, when persistent). Calls may overlap freely: they are pipelined
    /// on one connection. Waits through broker outages up to the send timeout, then throws <see cref="BrokerUnavailableException"/>.
    /// </summary>
    Task PublishAsync<TMessage>(Destination destination, TMessage message, CancellationToken cancellationToken = default)
        where TMessage : notnull;

    /// <inheritdoc cref="PublishAsync{TMessage}(Destination, TMessage, CancellationToken)"/>
    Task PublishAsync<TMessage>(Destination destination, TMessage message, Delivery delivery, CancellationToken cancellationToken = default)
        where TMessage : notnull;
}

public sealed class MessagePublisher(BrokerClient client) : IMessagePublisher
{
    public Task PublishAsync<TMessage>(Destination destination, TMessage message, CancellationToken cancellationToken = default)
        where TMessage : notnull => PublishAsync(destination, message, Delivery.Persistent, cancellationToken);

    public async Task PublishAsync<TMessage>(Destination destination, TMessage message, Delivery delivery, CancellationToken cancellationToken = default)
        where TMessage : notnull
    {
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{destination.Name} publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "activemq");
        activity?.SetTag("messaging.destination.name", destination.Name);

        var headers = new List<KeyValuePair<string, string>>(6)
        {
            new("persistent", delivery == Delivery.Persistent ? "true" : "false"),
            new("content-type", MessageSerializer.ContentType),
            new("type", MessageSerializer.TypeName<TMessage>()),
        };
        TraceContext.Inject(activity ?? Activity.Current, headers);

        await client.SendAsync(destination, headers, MessageSerializer.Serialize(message), cancellationToken);
        MessagingTelemetry.Published.Add(1, MessagingTelemetry.DestinationTag(destination));
    }
}
