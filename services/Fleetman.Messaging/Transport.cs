namespace Fleetman.Messaging;

/// <summary>
/// What a broker does for the library, whatever it is: confirmed sends, subscriptions with a prefetch window,
/// per-message acks, and NACKs that dead-letter. The consumer (batching, retries, splitting, dependency holding) and
/// the publisher (serialisation, telemetry, trace headers) sit on top of it, so every transport behaves the same.
/// </summary>
internal interface IMessageTransport
{
    /// <summary>The value of the messaging.system trace tag.</summary>
    string System { get; }

    bool IsConnected { get; }

    /// <summary>
    /// Why the transport is not connected, with no final period: the readiness check ends its sentence after it. Null
    /// while connected.
    /// </summary>
    string? LastError { get; }

    /// <summary>Begins connecting in the background; does not wait.</summary>
    void Start();

    /// <summary>
    /// Completes once the transport holds the message (stored, when <c>persistent</c> is true). Throws
    /// <see cref="MessagingUnavailableException"/> when it cannot within its send timeout.
    /// </summary>
    Task SendAsync(Destination destination, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes with individual acks: at most <paramref name="prefetch"/> unsettled messages are handed over at once.
    /// <paramref name="onMessage"/> must only queue the message. Disposing the subscription gives its unsettled
    /// messages back to the destination (redelivered to other consumers).
    /// </summary>
    IDisposable Subscribe(Destination destination, int prefetch, Action<TransportMessage> onMessage);
}

/// <summary>A delivered message and the way to settle it: ack, NACK (dead-letter), or let go when its delivery is lost.</summary>
internal abstract class TransportMessage(Destination destination)
{
    private int _settled;

    /// <summary>The subscribed destination.</summary>
    public Destination Destination { get; } = destination;

    public abstract string MessageId { get; }

    /// <summary>True when the message was delivered before and not acked (e.g. its consumer died).</summary>
    public abstract bool Redelivered { get; }

    public abstract ReadOnlyMemory<byte> Body { get; }

    public string BodyText => System.Text.Encoding.UTF8.GetString(Body.Span);

    /// <summary>The value of the first header with this name, or null.</summary>
    public abstract string? Header(string name);

    /// <summary>True when the transport will redeliver the message anyway (its connection or subscription is gone).</summary>
    protected abstract bool DeliveryLost { get; }

    protected abstract bool SendAck();

    protected abstract bool SendNack(string reason);

    /// <summary>Acknowledges the message. Returns false when its delivery is gone (it will be redelivered).</summary>
    public bool Ack() => Settle(SendAck, MessagingTelemetry.Acked);

    /// <summary>Rejects the message: it goes to its queue's dead-letter queue.</summary>
    public bool Nack(string reason) => Settle(() => SendNack(reason), MessagingTelemetry.Nacked);

    /// <summary>
    /// Lets go of a message without settling it, because its delivery is lost: the transport redelivers it anyway
    /// (to this process again, or to another consumer), so handling it here would only duplicate work.
    /// </summary>
    public bool ReleaseIfDeliveryLost()
    {
        if (!DeliveryLost || Interlocked.Exchange(ref _settled, 1) == 1)
        {
            return false;
        }

        MessagingTelemetry.InFlight.Add(-1, MessagingTelemetry.DestinationTag(Destination));
        return true;
    }

    private bool Settle(Func<bool> send, System.Diagnostics.Metrics.Counter<long> counter)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 1)
        {
            throw new InvalidOperationException($"Message {MessageId} was already acked, NACKed or released.");
        }

        var tag = MessagingTelemetry.DestinationTag(Destination);
        MessagingTelemetry.InFlight.Add(-1, tag);
        if (!send())
        {
            return false;
        }

        counter.Add(1, tag);
        return true;
    }
}
