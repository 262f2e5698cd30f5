namespace Fleetman.Messaging;

/// <summary>Publishes contract messages as JSON (or JMS maps) to the queue or topic the <see cref="MessageTopology"/> gives their type.</summary>
public interface IMessagePublisher
{
    /// <summary>
    /// Whether the transport is connected now. A publish started while it is not waits for a connection, up to the send
    /// timeout: a producer of messages that age (position reports) can skip them instead of holding them meanwhile.
    /// </summary>
    bool IsConnected { get; }

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

    /// <summary>
    /// Publishes a JMS map message of string entries where <typeparamref name="TMessage"/> travels, for Java services
    /// that read a <c>MapMessage</c> (on ActiveMQ it is stored as one; our consumers read it as a
    /// <typeparamref name="TMessage"/> with fields of the entries' names). Confirmed and kept as
    /// <see cref="PublishAsync{TMessage}(TMessage, CancellationToken)"/>.
    /// </summary>
    Task PublishMapAsync<TMessage>(IReadOnlyDictionary<string, string> entries, CancellationToken cancellationToken = default);
}

internal sealed class MessagePublisher(IMessageTransport transport, MessageTopology topology) : IMessagePublisher
{
    /// <summary>A publisher for sends to explicit destinations (the library's tests and tools).</summary>
    internal MessagePublisher(IMessageTransport transport)
        : this(transport, MessageTopology.Default)
    {
    }

    public bool IsConnected => transport.IsConnected;

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

    public Task PublishMapAsync<TMessage>(IReadOnlyDictionary<string, string> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var route = topology.RouteOf<TMessage>();

        // The broker turns the body into a MapMessage only when it is told to; no content-type, since it is not ours.
        return SendAsync<TMessage>(route.Destination, route.Delivery, new(JmsMapJson.TransformationHeader, JmsMapJson.Transformation), JmsMapJson.FromEntries(entries), cancellationToken);
    }

    /// <summary>Publishes persistently to <paramref name="destination"/>, whatever the topology says.</summary>
    internal Task PublishAsync<TMessage>(Destination destination, TMessage message, CancellationToken cancellationToken = default)
        where TMessage : notnull => PublishAsync(destination, message, Delivery.Persistent, cancellationToken);

    internal Task PublishAsync<TMessage>(Destination destination, TMessage message, Delivery delivery, CancellationToken cancellationToken = default)
        where TMessage : notnull =>
        SendAsync<TMessage>(destination, delivery, new("content-type", MessageSerializer.ContentType), MessageSerializer.Serialize(message), cancellationToken);

    private async Task SendAsync<TMessage>(Destination destination, Delivery delivery, KeyValuePair<string, string> format, byte[] body, CancellationToken cancellationToken)
    {
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{destination.Name} publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", transport.System);
        activity?.SetTag("messaging.destination.name", destination.Name);

        var headers = new List<KeyValuePair<string, string>>(6)
        {
            new("persistent", delivery == Delivery.Persistent ? "true" : "false"),
            format,
            new("type", MessageSerializer.TypeName<TMessage>()),
        };
        TraceContext.Inject(activity ?? Activity.Current, headers);

        await transport.SendAsync(destination, headers, body, cancellationToken);
        MessagingTelemetry.Published.Add(1, MessagingTelemetry.DestinationTag(destination));
    }
}
