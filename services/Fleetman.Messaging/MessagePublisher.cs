using System.Diagnostics;

namespace Fleetman.Messaging;

/// <summary>Publishes contract messages as JSON to the queue or topic the <see cref="MessageTopology"/> gives their type.</summary>
public interface IMessagePublisher
{
    /// <summary>
    /// Completes when the transport has the message (stored, for a persistent one). Calls may overlap freely: they are
    /// pipelined on one connection, in call order. Waits through broker outages up to the send timeout, then throws
    /// <see cref="MessagingUnavailableException"/>.
    /// </summary>
    Task PublishAsync<TMessage>(TMessage message, CancellationToken cancellationToken = default)
        where TMessage : notnull;

    /// <summary>Publishes every message, in order, pipelined; completes when the transport has them all.</summary>
    /// <exception cref="MessagingUnavailableException">Some were not confirmed within the send timeout.</exception>
    Task PublishAllAsync<TMessage>(IEnumerable<TMessage> messages, CancellationToken cancellationToken = default)
        where TMessage : notnull;
}

internal sealed class MessagePublisher(IMessageTransport transport, MessageTopology topology) : IMessagePublisher
{
    /// <summary>A publisher for sends to explicit destinations (the library's tests and tools).</summary>
    internal MessagePublisher(IMessageTransport transport)
        : this(transport, MessageTopology.Default)
    {
    }

    public Task PublishAsync<TMessage>(TMessage message, CancellationToken cancellationToken = default)
        where TMessage : notnull
    {
        var route = topology.RouteOf<TMessage>();
        return PublishAsync(route.Destination, message, route.Delivery, cancellationToken);
    }

    public Task PublishAllAsync<TMessage>(IEnumerable<TMessage> messages, CancellationToken cancellationToken = default)
        where TMessage : notnull
    {
        ArgumentNullException.ThrowIfNull(messages);
        var route = topology.RouteOf<TMessage>();

        // Started one after the other, the sends are pipelined in this order; awaited together, they are quick.
        return Task.WhenAll(messages.Select(message => PublishAsync(route.Destination, message, route.Delivery, cancellationToken)).ToList());
    }

    /// <summary>Publishes persistently to <paramref name="destination"/>, whatever the topology says.</summary>
    internal Task PublishAsync<TMessage>(Destination destination, TMessage message, CancellationToken cancellationToken = default)
        where TMessage : notnull => PublishAsync(destination, message, Delivery.Persistent, cancellationToken);

    internal async Task PublishAsync<TMessage>(Destination destination, TMessage message, Delivery delivery, CancellationToken cancellationToken = default)
        where TMessage : notnull
    {
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{destination.Name} publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", transport.System);
        activity?.SetTag("messaging.destination.name", destination.Name);

        var headers = new List<KeyValuePair<string, string>>(6)
        {
            new("persistent", delivery == Delivery.Persistent ? "true" : "false"),
            new("content-type", MessageSerializer.ContentType),
            new("type", MessageSerializer.TypeName<TMessage>()),
        };
        TraceContext.Inject(activity ?? Activity.Current, headers);

        await transport.SendAsync(destination, headers, MessageSerializer.Serialize(message), cancellationToken);
        MessagingTelemetry.Published.Add(1, MessagingTelemetry.DestinationTag(destination));
    }
}
