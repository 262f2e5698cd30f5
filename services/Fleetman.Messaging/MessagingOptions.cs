namespace Fleetman.Messaging;

/// <summary>Which transport carries the messages.</summary>
public enum MessagingTransport
{
    /// <summary>ActiveMQ (or any STOMP 1.2 broker), configured in the <c>Broker</c> section.</summary>
    Stomp,

    /// <summary>
    /// Inside this process, with the same delivery, ack, retry and dead-letter behaviour: for tests and for running a
    /// service without a broker. Messages do not leave the process and do not survive it.
    /// </summary>
    InMemory,
}

/// <summary>
/// Section <c>Messaging</c>: the transport, and the queue or topic names when they differ from the topology's
/// (<c>Messaging__Destinations__PositionReported=positionQueue</c>; tests give each run its own names).
/// </summary>
public sealed class MessagingOptions : IValidatableObject
{
    public const string SectionName = "Messaging";

    public MessagingTransport Transport { get; set; } = MessagingTransport.Stomp;

    /// <summary>Queue or topic name by message type name; whether it is a queue or a topic is the topology's to say.</summary>
    public Dictionary<string, string> Destinations { get; set; } = new(StringComparer.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (type, name) in Destinations)
        {
            if (!MessageTopology.MessageTypeNames.Contains(type))
            {
                yield return new ValidationResult(
                    $"'{type}' is not a message type; destinations can be named for {string.Join(", ", MessageTopology.MessageTypeNames)}.",
                    [$"{nameof(Destinations)}:{type}"]);
            }
            else if (!Destination.IsValidName(name))
            {
                yield return new ValidationResult($"'{name}' is not a valid queue or topic name.", [$"{nameof(Destinations)}:{type}"]);
            }
        }
    }
}
