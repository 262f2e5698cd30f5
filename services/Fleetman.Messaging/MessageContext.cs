namespace Fleetman.Messaging;

/// <summary>A deserialised message handed to a handler, with its envelope and a way to reject it as poison.</summary>
public sealed class MessageContext<TMessage>
{
    internal MessageContext(TMessage message, TransportMessage envelope, ActivityContext parentContext)
    {
        Message = message;
        Envelope = envelope;
        ParentContext = parentContext;
    }

    public TMessage Message { get; }

    internal TransportMessage Envelope { get; }

    public string MessageId => Envelope.MessageId;

    public bool Redelivered => Envelope.Redelivered;

    /// <summary>The trace context the publisher sent along (W3C traceparent), or default.</summary>
    public ActivityContext ParentContext { get; }

    /// <summary>Set by <see cref="Reject"/>: the message will be NACKed to the dead-letter queue with this reason.</summary>
    public string? RejectionReason { get; private set; }

    /// <summary>
    /// Marks the message as poison (valid JSON, but unusable: missing fields, impossible values). It is NACKed to the
    /// dead-letter queue without retries once the handler returns; the other messages of a batch are acked.
    /// </summary>
    public void Reject(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        RejectionReason = reason;
    }

    internal void ClearRejection() => RejectionReason = null;
}

/// <summary>Handles one message at a time.</summary>
public interface IMessageHandler<TMessage>
{
    /// <summary>Throwing retries the message with backoff and finally dead-letters it; see <see cref="PoisonMessageException"/>.</summary>
    Task HandleAsync(MessageContext<TMessage> message, CancellationToken cancellationToken);
}

/// <summary>Handles messages in batches (up to a size or a time), e.g. to write them to a store in one round-trip.</summary>
public interface IBatchMessageHandler<TMessage>
{
    /// <summary>
    /// Throwing retries the whole batch with backoff; if it still fails, the messages are handled one by one so that
    /// only the culprit is dead-lettered. Call <see cref="MessageContext{TMessage}.Reject"/> for messages known to be bad.
    /// </summary>
    Task HandleAsync(IReadOnlyList<MessageContext<TMessage>> batch, CancellationToken cancellationToken);
}

/// <summary>Thrown by a handler for a message that can never succeed: it is dead-lettered at once, without retries.</summary>
public sealed class PoisonMessageException(string reason) : Exception(reason);

/// <summary>
/// Thrown by a handler when something it depends on (its database, say) is unavailable: not the message's fault.
/// The messages stay unacked and the handler is retried with backoff for as long as it takes, never dead-lettered
/// for this; the retry limit does not apply. Meanwhile the service's readiness check should report the dependency.
/// </summary>
public sealed class DependencyUnavailableException(string dependency, Exception inner)
    : Exception($"{dependency} is unavailable: {inner.Message}", inner)
{
    public string Dependency { get; } = dependency;
}
