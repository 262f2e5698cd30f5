namespace Fleetman.Messaging.InMemory;

/// <summary>
/// A broker inside the process, with the semantics the STOMP transport has on ActiveMQ: queues hand each message to one
/// of their consumers (round robin, at most a prefetch window of unsettled messages each), topics copy each message to
/// every current subscriber, a message stays until acked, a NACKed queue message moves to <c>DLQ.&lt;queue&gt;</c> with
/// the reason in the <c>dlqDeliveryFailureCause</c> header, and the unsettled messages of a closed subscription go back
/// to their queue, in their original order, marked redelivered. Sends complete at once: nothing can be down, unless a
/// test says a destination's next sends fail (<see cref="RefuseSends"/>), as they do while a broker cannot be reached.
/// </summary>
internal sealed class InMemoryTransport : IMessageTransport
{
    /// <summary>The header ActiveMQ gives a dead-lettered message to say why.</summary>
    public const string FailureCauseHeader = "dlqDeliveryFailureCause";

    // Kept per destination so tests can see what was sent to a topic nobody listened to; bounded so a service running
    // on this transport for long does not grow without end.
    private const int HistoryLimit = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<Destination, QueueState> _queues = [];
    private readonly Dictionary<Destination, List<InMemorySubscription>> _topics = [];
    private readonly Dictionary<Destination, Queue<StoredMessage>> _history = [];
    private readonly Dictionary<Destination, int> _refusals = [];
    private readonly Queue<(InMemorySubscription Subscription, InMemoryMessage Message)> _outbox = new();
    private bool _draining;
    private long _sequence;

    public string System => "in-memory";

    public bool IsConnected => true;

    public string? LastError => null;

    public void Start()
    {
    }

    public override string ToString() => "the in-memory transport";

    public Task SendAsync(Destination destination, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_refusals.GetValueOrDefault(destination) is > 0 and var refusals)
            {
                _refusals[destination] = refusals - 1;
                return Task.FromException(new MessagingUnavailableException($"{this} refused a send to {destination} (a test asked it to)"));
            }

            var message = new StoredMessage(++_sequence, [.. headers], body.ToArray(), Redelivered: false);
            Remember(destination, message);
            if (destination.IsQueue)
            {
                var queue = Queue(destination);
                queue.Ready.Enqueue(message, message.Sequence);
                Dispatch(queue);
            }
            else if (_topics.TryGetValue(destination, out var subscribers))
            {
                foreach (var subscription in subscribers)
                {
                    Deliver(subscription, message);
                }
            }
        }

        Drain();
        return Task.CompletedTask;
    }

    /// <summary>The next <paramref name="count"/> sends to <paramref name="destination"/> fail, and are not kept.</summary>
    public void RefuseSends(Destination destination, int count)
    {
        lock (_lock)
        {
            _refusals[destination] = count;
        }
    }

    public IDisposable Subscribe(Destination destination, int prefetch, Action<TransportMessage> onMessage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetch, 1);
        var subscription = new InMemorySubscription(this, destination, prefetch, onMessage);
        lock (_lock)
        {
            if (destination.IsQueue)
            {
                var queue = Queue(destination);
                queue.Consumers.Add(subscription);
                Dispatch(queue);
            }
            else
            {
                if (!_topics.TryGetValue(destination, out var subscribers))
                {
                    _topics[destination] = subscribers = [];
                }

                subscribers.Add(subscription);
            }
        }

        Drain();
        return subscription;
    }

    /// <summary>What waits in a queue or was delivered and not settled yet, oldest first.</summary>
    public IReadOnlyList<(ReadOnlyMemory<byte> Body, IReadOnlyList<KeyValuePair<string, string>> Headers)> Contents(Destination queue)
    {
        lock (_lock)
        {
            if (!_queues.TryGetValue(queue, out var state))
            {
                return [];
            }

            return [.. state.Ready.UnorderedItems.Select(i => i.Element)
                .Concat(state.Consumers.SelectMany(c => c.Unsettled.Select(m => m.Stored)))
                .OrderBy(m => m.Sequence)
                .Select(m => ((ReadOnlyMemory<byte>)m.Body, (IReadOnlyList<KeyValuePair<string, string>>)m.Headers))];
        }
    }

    /// <summary>The bodies last sent to a destination (queue or topic), oldest first.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> History(Destination destination)
    {
        lock (_lock)
        {
            return _history.TryGetValue(destination, out var sent) ? [.. sent.Select(m => (ReadOnlyMemory<byte>)m.Body)] : [];
        }
    }

    private void Remember(Destination destination, StoredMessage message)
    {
        if (!_history.TryGetValue(destination, out var sent))
        {
            _history[destination] = sent = new();
        }

        sent.Enqueue(message);
        if (sent.Count > HistoryLimit)
        {
            sent.Dequeue();
        }
    }

    private QueueState Queue(Destination destination)
    {
        if (!_queues.TryGetValue(destination, out var queue))
        {
            _queues[destination] = queue = new QueueState(destination);
        }

        return queue;
    }

    /// <summary>Hands ready messages to consumers with room in their prefetch window, in turn. Runs under the lock.</summary>
    private void Dispatch(QueueState queue)
    {
        while (queue.Ready.Count > 0)
        {
            InMemorySubscription? consumer = null;
            for (var i = 0; i < queue.Consumers.Count && consumer is null; i++)
            {
                var candidate = queue.Consumers[(queue.Next + i) % queue.Consumers.Count];
                if (candidate.Unsettled.Count < candidate.Prefetch)
                {
                    consumer = candidate;
                    queue.Next = (queue.Next + i + 1) % queue.Consumers.Count;
                }
            }

            if (consumer is null)
            {
                return;
            }

            Deliver(consumer, queue.Ready.Dequeue());
        }
    }

    private void Deliver(InMemorySubscription subscription, StoredMessage stored)
    {
        var message = new InMemoryMessage(this, subscription, stored);
        subscription.Unsettled.Add(message);
        _outbox.Enqueue((subscription, message));
    }

    /// <summary>
    /// Calls the subscribers outside the lock, one at a time and in the order the deliveries were decided, so a callback
    /// that settles a message (and so delivers more) neither deadlocks nor overtakes an earlier delivery.
    /// </summary>
    private void Drain()
    {
        while (true)
        {
            (InMemorySubscription Subscription, InMemoryMessage Message) next;
            lock (_lock)
            {
                if (_draining || !_outbox.TryDequeue(out next))
                {
                    return;
                }

                _draining = true;
            }

            try
            {
                MessagingTelemetry.Delivered(next.Subscription.Destination);
                next.Subscription.OnMessage(next.Message);
            }
            finally
            {
                lock (_lock)
                {
                    _draining = false;
                }
            }
        }
    }

    internal bool Settle(InMemoryMessage message, string? deadLetterReason)
    {
        lock (_lock)
        {
            var subscription = message.Subscription;
            if (!subscription.Unsettled.Remove(message))
            {
                return false; // its subscription closed: it went back to the queue
            }

            if (subscription.Destination.IsQueue)
            {
                if (deadLetterReason is not null)
                {
                    var deadLetter = message.Stored with
                    {
                        Sequence = ++_sequence,
                        Headers = [.. message.Stored.Headers, new(FailureCauseHeader, deadLetterReason)],
                        Redelivered = false,
                    };
                    var dlq = Queue(subscription.Destination.DeadLetterQueue);
                    Remember(dlq.Destination, deadLetter);
                    dlq.Ready.Enqueue(deadLetter, deadLetter.Sequence);
                    Dispatch(dlq);
                }

                Dispatch(Queue(subscription.Destination));
            }

            // A NACKed topic message is dropped, as ActiveMQ drops a non-persistent topic message nobody takes.
        }

        Drain();
        return true;
    }

    internal void Unsubscribe(InMemorySubscription subscription)
    {
        lock (_lock)
        {
            if (subscription.Closed)
            {
                return;
            }

            subscription.Closed = true;
            if (subscription.Destination.IsQueue)
            {
                var queue = Queue(subscription.Destination);
                queue.Consumers.Remove(subscription);
                queue.Next = 0;
                foreach (var message in subscription.Unsettled)
                {
                    var again = message.Stored with { Redelivered = true };
                    queue.Ready.Enqueue(again, again.Sequence);
                }

                subscription.Unsettled.Clear();
                Dispatch(queue);
            }
            else
            {
                _topics[subscription.Destination].Remove(subscription);
                subscription.Unsettled.Clear();
            }
        }

        Drain();
    }

    private sealed class QueueState(Destination destination)
    {
        public Destination Destination { get; } = destination;

        public PriorityQueue<StoredMessage, long> Ready { get; } = new();

        public List<InMemorySubscription> Consumers { get; } = [];

        public int Next { get; set; }
    }
}

internal sealed record StoredMessage(long Sequence, List<KeyValuePair<string, string>> Headers, byte[] Body, bool Redelivered);

internal sealed class InMemorySubscription(InMemoryTransport transport, Destination destination, int prefetch, Action<TransportMessage> onMessage) : IDisposable
{
    public Destination Destination { get; } = destination;

    public int Prefetch { get; } = prefetch;

    public Action<TransportMessage> OnMessage { get; } = onMessage;

    public HashSet<InMemoryMessage> Unsettled { get; } = [];

    public bool Closed { get; set; }

    public void Dispose() => transport.Unsubscribe(this);
}

internal sealed class InMemoryMessage(InMemoryTransport transport, InMemorySubscription subscription, StoredMessage stored) : TransportMessage(subscription.Destination)
{
    public InMemorySubscription Subscription { get; } = subscription;

    public StoredMessage Stored { get; } = stored;

    public override string MessageId => "in-memory-" + Stored.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override bool Redelivered => Stored.Redelivered;

    public override ReadOnlyMemory<byte> Body => Stored.Body;

    public override string? Header(string name)
    {
        foreach (var header in Stored.Headers)
        {
            if (header.Key == name)
            {
                return header.Value;
            }
        }

        return null;
    }

    protected override bool DeliveryLost => Subscription.Closed;

    protected override bool SendAck() => transport.Settle(this, deadLetterReason: null);

    protected override bool SendNack(string reason) => transport.Settle(this, reason);
}
