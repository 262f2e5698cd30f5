namespace Fleetman.Messaging.Tests;

public sealed record TestMessage(int Id, string Text = "");

/// <summary>Test messages in bulk: ids <c>first</c> to <c>first + count - 1</c>, all sent at once, as a busy producer sends.</summary>
internal static class TestMessages
{
    public static Task PublishTestMessagesAsync(this MessagePublisher publisher, Destination queue, int count, int first = 0) =>
        Task.WhenAll(Enumerable.Range(first, count).Select(id => publisher.PublishAsync(queue, new TestMessage(id))));

    /// <summary>Through a service's publisher, to the destination its topology gives <see cref="TestMessage"/>.</summary>
    public static Task PublishTestMessagesAsync(this IMessagePublisher publisher, int count) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(id => publisher.PublishAsync(new TestMessage(id))));
}

/// <summary>Counts deliveries per message id, to tell lost, duplicated and redelivered messages apart.</summary>
public sealed class DeliveryLog
{
    private readonly ConcurrentDictionary<int, int> _deliveries = new();
    private int _redelivered;

    public int Unique => _deliveries.Count;

    public int Total => _deliveries.Values.Sum();

    public int Redelivered => _redelivered;

    public IReadOnlyCollection<int> Ids => [.. _deliveries.Keys];

    public void Record(MessageContext<TestMessage> context)
    {
        _deliveries.AddOrUpdate(context.Message.Id, 1, (_, n) => n + 1);
        if (context.Redelivered)
        {
            Interlocked.Increment(ref _redelivered);
        }
    }

    public IEnumerable<int> Missing(int count) => Enumerable.Range(0, count).Where(id => !_deliveries.ContainsKey(id));
}
