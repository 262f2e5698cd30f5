using Fleetman.Messaging.InMemory;

namespace Fleetman.Messaging;

/// <summary>
/// The in-memory transport of a host (<c>Messaging__Transport=InMemory</c>), resolved from its services: what tests
/// look at instead of a broker's console. Messages are found by their type, through the host's <see cref="MessageTopology"/>.
/// </summary>
public sealed class InMemoryBroker
{
    private readonly MessageTopology _topology;

    internal InMemoryBroker(MessageTopology topology) => _topology = topology;

    internal InMemoryTransport Transport { get; } = new();

    /// <summary>The messages dead-lettered from <typeparamref name="TMessage"/>'s queue, oldest first, with why.</summary>
    public IReadOnlyList<DeadLetter> DeadLetters<TMessage>() =>
        [.. Transport.Contents(Queue<TMessage>().DeadLetterQueue).Select(m => new DeadLetter(
            Encoding.UTF8.GetString(m.Body.Span),
            m.Headers.LastOrDefault(h => h.Key == InMemoryTransport.FailureCauseHeader).Value ?? "")),];

    /// <summary>Messages in <typeparamref name="TMessage"/>'s queue that are not acked yet: waiting, or with a consumer.</summary>
    public int Depth<TMessage>() => Transport.Contents(Queue<TMessage>()).Count;

    /// <summary>Every <typeparamref name="TMessage"/> published (to its queue or topic), oldest first; the last 10,000 are kept.</summary>
    public IReadOnlyList<TMessage> Published<TMessage>()
    {
        var sent = Transport.History(_topology.RouteOf<TMessage>().Destination);
        return [.. sent.Select(body => MessageSerializer.TryDeserialize<TMessage>(body, out var message, out _) ? message! : default!)];
    }

    /// <summary>
    /// The next <paramref name="count"/> publishes of <typeparamref name="TMessage"/> fail with
    /// <see cref="MessagingUnavailableException"/>, as they do once a broker that cannot be reached outlasts the send timeout.
    /// </summary>
    public void RefuseSends<TMessage>(int count) => Transport.RefuseSends(_topology.RouteOf<TMessage>().Destination, count);

    /// <summary>Sends a body as it is, bypassing serialisation, to <typeparamref name="TMessage"/>'s destination: how malformed input arrives.</summary>
    public Task SendRawAsync<TMessage>(string body) =>
        Transport.SendAsync(_topology.RouteOf<TMessage>().Destination, [new("persistent", "true")], Encoding.UTF8.GetBytes(body));

    private Destination Queue<TMessage>()
    {
        var destination = _topology.RouteOf<TMessage>().Destination;
        return destination.IsQueue
            ? destination
            : throw new InvalidOperationException($"{typeof(TMessage).Name} travels on topic {destination.Name}: topics keep nothing and have no dead-letter queue.");
    }
}

/// <summary>A message NACKed to a dead-letter queue: its body as it was sent, and the reason the consumer gave.</summary>
public sealed record DeadLetter(string Body, string Reason);
