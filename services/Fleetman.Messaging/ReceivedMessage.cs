using Fleetman.Messaging.Stomp;

namespace Fleetman.Messaging;

/// <summary>A MESSAGE frame as delivered to a subscription, with what is needed to ACK or NACK it.</summary>
public sealed class ReceivedMessage
{
    internal ReceivedMessage(StompFrame frame, Destination destination, StompConnection connection)
    {
        Frame = frame;
        Destination = destination;
        Connection = connection;
    }

    public StompFrame Frame { get; }

    /// <summary>The subscribed destination (not the frame's, which may differ for wildcards).</summary>
    public Destination Destination { get; }

    public string MessageId => Frame["message-id"] ?? "";

    /// <summary>True when the broker delivered this message before and it was not acked (e.g. its consumer died).</summary>
    public bool Redelivered => string.Equals(Frame["redelivered"], "true", StringComparison.OrdinalIgnoreCase);

    public ReadOnlyMemory<byte> Body => Frame.Body;

    /// <summary>The connection the message arrived on: acks only make sense there.</summary>
    internal StompConnection Connection { get; }

    /// <summary>Acknowledges the message. Returns false when its connection is gone (the broker will redeliver it).</summary>
    public bool Ack() => Settle(StompCommands.Ack, MessagingTelemetry.Acked);

    /// <summary>Rejects the message. On ActiveMQ a NACK is a poison ack: the message goes to its dead-letter queue.</summary>
    public bool Nack() => Settle(StompCommands.Nack, MessagingTelemetry.Nacked);

    /// <summary>
    /// Lets go of a message without settling it, because its connection is gone: the broker redelivers it anyway
    /// (to this process on the new connection, or to another consumer), so handling it here would only duplicate work.
    /// </summary>
    internal bool ReleaseIfConnectionLost()
    {
        if (Connection.IsOpen || Interlocked.Exchange(ref _settled, 1) == 1)
        {
            return false;
        }

        MessagingTelemetry.InFlight.Add(-1, MessagingTelemetry.DestinationTag(Destination));
        return true;
    }

    private bool Settle(string command, System.Diagnostics.Metrics.Counter<long> counter)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 1)
        {
            throw new InvalidOperationException($"Message {MessageId} was already acked, NACKed or released.");
        }

        var tag = MessagingTelemetry.DestinationTag(Destination);
        MessagingTelemetry.InFlight.Add(-1, tag);

        // The ack id goes back exactly as received: the writer re-escapes what the parser unescaped.
        if (Frame["ack"] is not { } ackId || !Connection.IsOpen)
        {
            return false;
        }

        try
        {
            Connection.Send(new StompFrame(command, [new("id", ackId)]));
            counter.Add(1, tag);
            return true;
        }
        catch (ConnectionLostException)
        {
            return false;
        }
    }

    private int _settled;
}
