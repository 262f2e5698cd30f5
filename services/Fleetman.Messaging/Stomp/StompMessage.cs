namespace Fleetman.Messaging.Stomp;

/// <summary>A MESSAGE frame as delivered to a subscription, acked or NACKed on the connection it came on.</summary>
internal sealed class ReceivedMessage(StompFrame frame, Destination destination, StompConnection connection) : TransportMessage(destination)
{
    public StompFrame Frame { get; } = frame;

    public override string MessageId => Frame["message-id"] ?? "";

    public override bool Redelivered => string.Equals(Frame["redelivered"], "true", StringComparison.OrdinalIgnoreCase);

    public override ReadOnlyMemory<byte> Body => Frame.Body;

    public override string? Header(string name) => Frame[name];

    /// <summary>Acks only make sense on the connection the message arrived on; once it is gone the broker redelivers.</summary>
    protected override bool DeliveryLost => !connection.IsOpen;

    protected override bool SendAck() => Send(StompCommands.Ack);

    // A STOMP NACK carries no reason: on ActiveMQ it is a poison ack, and the broker moves the message to DLQ.<queue>
    // with its own dlqDeliveryFailureCause. The reason is logged and counted by the consumer.
    protected override bool SendNack(string reason) => Send(StompCommands.Nack);

    private bool Send(string command)
    {
        // The ack id goes back exactly as received: the writer re-escapes what the parser unescaped.
        if (Frame["ack"] is not { } ackId || !connection.IsOpen)
        {
            return false;
        }

        try
        {
            connection.Send(new StompFrame(command, [new("id", ackId)]));
            return true;
        }
        catch (ConnectionLostException)
        {
            return false;
        }
    }
}
