using System.Collections.Concurrent;
using System.Text.Json;
using Fleetman.Messaging;
using Fleetman.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleetman.PositionSimulator.Tests.System;

/// <summary>Reads a queue with the messaging library, keeping each body as raw JSON.</summary>
internal sealed class QueueListener : IAsyncDisposable
{
    private readonly BrokerClient _client;
    private readonly MessageConsumer<JsonElement> _consumer;

    private QueueListener(BrokerClient client, string queue)
    {
        _client = client;
        _consumer = MessageConsumer.ForSingleMessages<JsonElement>(client, Destination.Queue(queue), new ConsumerOptions(), (message, _) =>
        {
            Messages.Enqueue(message.Message.Clone());
            return Task.CompletedTask;
        }, NullLogger.Instance);
        _consumer.Start();
    }

    public ConcurrentQueue<JsonElement> Messages { get; } = new();

    public static async Task<QueueListener> StartAsync(BrokerInstance broker, string queue) => new(await broker.ConnectAsync(), queue);

    public HashSet<string> Vehicles() => [.. Messages.Select(m => m.GetProperty("vehicle").GetString()!)];

    public async ValueTask DisposeAsync()
    {
        await _consumer.DisposeAsync();
        await _client.DisposeAsync();
    }
}
