using System.Collections.Concurrent;
using System.Text;
using Fleetman.Messaging;
using Fleetman.Messaging.Stomp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleetman.Testing;

/// <summary>
/// A test's own connection to the real broker, by queue and topic name: publishes as the services do, sends bodies no
/// service would (malformed input), listens to a queue or topic, and reads a queue's dead-letter queue.
/// </summary>
public sealed class BrokerConnection : IAsyncDisposable
{
    private readonly BrokerClient _client;
    private readonly List<IAsyncDisposable> _listeners = [];
    private readonly List<IDisposable> _subscriptions = [];

    internal BrokerConnection(BrokerClient client) => _client = client;

    private MessagePublisher Publisher => new(_client, MessageTopology.Default);

    /// <summary>Publishes to a queue, persistent, as the services publish position reports; completes once the broker stored it.</summary>
    public Task PublishAsync<TMessage>(string queue, TMessage message)
        where TMessage : notnull => Publisher.PublishAsync(Destination.Queue(queue), message, Delivery.Persistent);

    /// <summary>Publishes every message to a queue, in order (pipelined); completes once the broker stored them all.</summary>
    public Task PublishAllAsync<TMessage>(string queue, IEnumerable<TMessage> messages)
        where TMessage : notnull
    {
        var publisher = Publisher;
        return Task.WhenAll(messages.Select(message => publisher.PublishAsync(Destination.Queue(queue), message, Delivery.Persistent)).ToList());
    }

    /// <summary>Publishes to a topic, non-persistent, as the queue-consumer announces stored positions.</summary>
    public Task PublishToTopicAsync<TMessage>(string topic, TMessage message)
        where TMessage : notnull => Publisher.PublishAsync(Destination.Topic(topic), message, Delivery.Transient);

    /// <summary>Sends a body as it is (persistent, JSON content type) to a queue: how malformed input reaches a consumer.</summary>
    public Task SendRawAsync(string queue, string body) =>
        _client.SendAsync(Destination.Queue(queue), [new("persistent", "true"), new("content-type", MessageSerializer.ContentType)], Encoding.UTF8.GetBytes(body));

    /// <summary>Collects (and acks) the bodies that land in the queue's dead-letter queue, <c>DLQ.&lt;queue&gt;</c>, from now on.</summary>
    public ConcurrentQueue<string> DeadLetters(string queue)
    {
        var dead = new ConcurrentQueue<string>();
        _subscriptions.Add(_client.Subscribe(Destination.Queue(queue).DeadLetterQueue, 100, message =>
        {
            dead.Enqueue(message.BodyText);
            message.Ack();
        }));
        return dead;
    }

    /// <summary>Hands every message of a queue or topic to <paramref name="onMessage"/> (acked after it returns) until disposed.</summary>
    public IAsyncDisposable Listen<TMessage>(string name, bool topic, Action<TMessage, bool> onMessage)
    {
        var destination = topic ? Destination.Topic(name) : Destination.Queue(name);
        var consumer = MessageConsumer.ForSingleMessages<TMessage>(_client, destination, new ConsumerOptions(), (context, _) =>
        {
            onMessage(context.Message, context.Redelivered);
            return Task.CompletedTask;
        }, NullLogger.Instance);
        consumer.Start();
        _listeners.Add(consumer);
        return consumer;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        _subscriptions.ForEach(s => s.Dispose());
        await _client.DisposeAsync();
    }
}
