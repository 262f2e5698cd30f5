using System.Collections.Concurrent;

namespace Fleetman.Messaging.Tests;

public sealed record TestMessage(int Id, string Text = "");

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
