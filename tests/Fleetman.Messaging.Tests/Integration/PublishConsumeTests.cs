using System.Diagnostics;
using Fleetman.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleetman.Messaging.Tests.Integration;

[Collection(SharedBrokerTests.Name)]
public sealed class PublishConsumeTests(SharedBrokerFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ten_thousand_persistent_messages_all_arrive_exactly_once()
    {
        const int count = 10_000;
        var queue = Destination.Queue(Eventually.UniqueQueue("ten-thousand"));
        await using var client = await fixture.Broker.ConnectAsync();
        var log = new DeliveryLog();
        await using var consumer = new MessageConsumer<TestMessage>(client, queue, new ConsumerOptions { Prefetch = 1000 }, 200, (batch, _) =>
        {
            batch.ToList().ForEach(log.Record);
            return Task.CompletedTask;
        }, NullLogger.Instance);
        consumer.Start();

        var publisher = new MessagePublisher(client);
        await Task.WhenAll(Enumerable.Range(0, count).Select(id => publisher.PublishAsync(queue, new TestMessage(id))));

        await Eventually.Until(() => log.Unique == count, Patience, () => $"{log.Unique} of {count} arrived");
        log.Total.ShouldBe(count, "no message was delivered twice");
        log.Missing(count).ShouldBeEmpty();
    }

    [Fact]
    public async Task Two_consumers_on_one_queue_share_the_work_without_overlap()
    {
        const int count = 2_000;
        var queue = Destination.Queue(Eventually.UniqueQueue("competing"));
        await using var first = await fixture.Broker.ConnectAsync();
        await using var second = await fixture.Broker.ConnectAsync();
        var logs = new[] { new DeliveryLog(), new DeliveryLog() };
        var options = new ConsumerOptions { Prefetch = 50 };
        await using var a = MessageConsumer.ForSingleMessages<TestMessage>(first, queue, options, (m, _) => Slowly(logs[0], m), NullLogger.Instance);
        await using var b = MessageConsumer.ForSingleMessages<TestMessage>(second, queue, options, (m, _) => Slowly(logs[1], m), NullLogger.Instance);
        a.Start();
        b.Start();
        await Task.Delay(300); // both subscriptions registered before the first message

        var publisher = new MessagePublisher(first);
        await Task.WhenAll(Enumerable.Range(0, count).Select(id => publisher.PublishAsync(queue, new TestMessage(id))));

        await Eventually.Until(() => logs.Sum(l => l.Unique) >= count, Patience, () => $"{logs[0].Unique}+{logs[1].Unique} of {count}");
        logs[0].Ids.Intersect(logs[1].Ids).ShouldBeEmpty("no message is handled by both consumers");
        logs[0].Unique.ShouldBeGreaterThan(count / 5, "the first consumer took a fair share");
        logs[1].Unique.ShouldBeGreaterThan(count / 5, "the second consumer took a fair share");
        logs.Sum(l => l.Total).ShouldBe(count);
        logs.Sum(l => l.Redelivered).ShouldBe(0);

        static async Task Slowly(DeliveryLog log, MessageContext<TestMessage> message)
        {
            log.Record(message);
            await Task.Delay(1); // a handler that takes time, so prefetch alone cannot hand one consumer everything
        }
    }

    [Fact]
    public async Task Concurrent_handlers_run_in_parallel()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("concurrency"));
        await using var client = await fixture.Broker.ConnectAsync();
        var running = 0;
        var peak = 0;
        var done = 0;
        await using var consumer = MessageConsumer.ForSingleMessages<TestMessage>(client, queue, new ConsumerOptions { Concurrency = 4, Prefetch = 20 }, async (_, token) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(200, token);
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref done);
        }, NullLogger.Instance);
        consumer.Start();

        var publisher = new MessagePublisher(client);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(id => publisher.PublishAsync(queue, new TestMessage(id))));

        await Eventually.Until(() => Volatile.Read(ref done) == 8, Patience, () => $"{done} of 8 handled");
        peak.ShouldBe(4);

        static void InterlockedMax(ref int target, int value)
        {
            int current;
            while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
            {
            }
        }
    }

    [Fact]
    public async Task A_batch_fills_up_to_its_size_and_a_partial_batch_is_handed_over_after_the_timeout()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("batches"));
        await using var client = await fixture.Broker.ConnectAsync();
        var sizes = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var publisher = new MessagePublisher(client);
        await Task.WhenAll(Enumerable.Range(0, 25).Select(id => publisher.PublishAsync(queue, new TestMessage(id))));

        await using var consumer = new MessageConsumer<TestMessage>(client, queue, new ConsumerOptions { Prefetch = 100, BatchTimeoutMilliseconds = 300 }, 10, (batch, _) =>
        {
            sizes.Enqueue(batch.Count);
            return Task.CompletedTask;
        }, NullLogger.Instance);
        consumer.Start();

        await Eventually.Until(() => sizes.Sum() == 25, Patience, () => $"batches so far: {string.Join(',', sizes)}");
        sizes.ShouldAllBe(size => size <= 10);
        sizes.Count(size => size == 10).ShouldBe(2, $"two full batches, then the rest: {string.Join(',', sizes)}");
    }

    [Fact]
    public async Task Trace_context_travels_from_publisher_to_handler()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MessagingTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var queue = Destination.Queue(Eventually.UniqueQueue("trace"));
        await using var client = await fixture.Broker.ConnectAsync();
        var received = new TaskCompletionSource<(ActivityContext Parent, ActivityTraceId HandlerTrace)>();
        await using var consumer = MessageConsumer.ForSingleMessages<TestMessage>(client, queue, new ConsumerOptions(), (m, _) =>
        {
            received.TrySetResult((m.ParentContext, Activity.Current!.TraceId));
            return Task.CompletedTask;
        }, NullLogger.Instance);
        consumer.Start();

        using var origin = new Activity("simulated request").Start();
        await new MessagePublisher(client).PublishAsync(queue, new TestMessage(1));
        origin.Stop();

        var (parent, handlerTrace) = await received.Task.WaitAsync(Patience);
        parent.TraceId.ShouldBe(origin.TraceId);
        handlerTrace.ShouldBe(origin.TraceId, "the handler runs inside the publisher's trace");
    }
}
