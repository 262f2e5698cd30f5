using Fleetman.Messaging.InMemory;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleetman.Messaging.Tests.Unit;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExceptionCounting
{
    /// <summary>Tests that count the exceptions thrown anywhere in the process: they run alone.</summary>
    public const string Name = "Exception counting";
}

/// <summary>How a batch consumer's window ends, on the in-memory transport.</summary>
[Collection(ExceptionCounting.Name)]
public sealed class BatchWindowTests
{
    [Fact]
    public async Task A_batch_window_that_closes_on_a_partial_batch_throws_no_exception()
    {
        var transport = new InMemoryTransport();
        var queue = Destination.Queue(Eventually.UniqueQueue("window"));
        var sizes = new ConcurrentQueue<int>();
        await using var consumer = new MessageConsumer<TestMessage>(transport, queue, new ConsumerOptions { BatchTimeoutMilliseconds = 10 }, 100, (batch, _) =>
        {
            sizes.Enqueue(batch.Count);
            return Task.CompletedTask;
        }, NullLogger.Instance);
        consumer.Start();
        var publisher = new MessagePublisher(transport);

        // Counted from here: the process's other tests do not run meanwhile (the collection runs alone).
        var cancellations = 0;
        void Count(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (e.Exception is OperationCanceledException)
            {
                Interlocked.Increment(ref cancellations);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            // One message at a time, each handled before the next is sent: five windows, each closed by its timeout.
            for (var i = 0; i < 5; i++)
            {
                await publisher.PublishAsync(queue, new TestMessage(i));
                await Eventually.Until(() => sizes.Count == i + 1, TimeSpan.FromSeconds(30), () => $"{sizes.Count} of {i + 1} batches handled");
            }
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        sizes.ShouldAllBe(size => size == 1, "each window closed on its one message");
        cancellations.ShouldBe(0, "a window closes by its timer, not by a cancelled wait");
    }
}
