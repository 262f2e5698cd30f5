namespace Fleetman.PositionSimulator.Tests.System;

/// <summary>Reads a queue with the messaging library, keeping each body as raw JSON.</summary>
internal sealed class QueueListener : IAsyncDisposable
{
    private readonly BrokerConnection _connection;

    private QueueListener(BrokerConnection connection, string queue)
    {
        _connection = connection;
        _connection.Listen<JsonElement>(queue, topic: false, (message, _) => Messages.Enqueue(message.Clone()));
    }

    public ConcurrentQueue<JsonElement> Messages { get; } = new();

    public static async Task<QueueListener> StartAsync(BrokerInstance broker, string queue) => new(await broker.ConnectAsync(), queue);

    public HashSet<string> Vehicles() => [.. Messages.Select(m => m.GetProperty("vehicle").GetString()!)];

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
