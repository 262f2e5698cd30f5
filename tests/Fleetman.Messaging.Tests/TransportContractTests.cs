using Microsoft.Extensions.Logging.Abstractions;

namespace Fleetman.Messaging.Tests;

/// <summary>
/// What every transport promises, run against each of them: the in-memory one (Unit) and STOMP on the real broker
/// (Integration). Delivery, acks, competing consumers, topic fan-out, batching, retries, dead-lettering with a reason,
/// batch splitting, holding messages while a dependency is down, graceful stop, trace context.
/// </summary>
public abstract class TransportContractTests : IAsyncLifetime
{
    private static readonly ConsumerOptions QuickRetries = new() { RetryLimit = 2, RetryDelayMilliseconds = 20, RetryMaxDelayMilliseconds = 100, Prefetch = 20 };

    private readonly List<IAsyncDisposable> _owned = [];

    protected static TimeSpan Patience { get; } = TimeSpan.FromSeconds(60);

    /// <summary>A connection of its own to the transport under test (the same broker for every call within a test).</summary>
    internal abstract Task<IMessageTransport> ConnectAsync();

    /// <summary>Whether the dead-letter queue keeps the consumer's reason (in-memory) or the broker's own cause (ActiveMQ).</summary>
    protected abstract bool DeadLettersCarryTheConsumersReason { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ten_thousand_persistent_messages_all_arrive_exactly_once()
    {
        const int count = 10_000;
        var queue = Destination.Queue(Eventually.UniqueQueue("ten-thousand"));
        var transport = await ConnectAsync();
        var log = new DeliveryLog();
        Own(Started(new MessageConsumer<TestMessage>(transport, queue, new ConsumerOptions { Prefetch = 1000 }, 200, (batch, _) =>
        {
            batch.ToList().ForEach(log.Record);
            return Task.CompletedTask;
        }, NullLogger.Instance)));

        var publisher = new MessagePublisher(transport);
        await publisher.PublishTestMessagesAsync(queue, count);

        await Eventually.Until(() => log.Unique == count, Patience, () => $"{log.Unique} of {count} arrived");
        log.Total.ShouldBe(count, "no message was delivered twice");
        log.Missing(count).ShouldBeEmpty();
    }

    [Fact]
    public async Task Two_consumers_on_one_queue_share_the_work_without_overlap()
    {
        // Ten times the prefetch: enough that prefetch alone cannot hand one consumer the lot.
        const int count = 500;
        var queue = Destination.Queue(Eventually.UniqueQueue("competing"));
        var first = await ConnectAsync();
        var second = await ConnectAsync();
        var logs = new[] { new DeliveryLog(), new DeliveryLog() };
        var options = new ConsumerOptions { Prefetch = 50 };
        Own(Started(MessageConsumer.ForSingleMessages<TestMessage>(first, queue, options, (m, _) => Slowly(logs[0], m), NullLogger.Instance)));
        Own(Started(MessageConsumer.ForSingleMessages<TestMessage>(second, queue, options, (m, _) => Slowly(logs[1], m), NullLogger.Instance)));
        await Task.Delay(300); // both subscriptions registered before the first message

        var publisher = new MessagePublisher(first);
        await publisher.PublishTestMessagesAsync(queue, count);

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
    public async Task Every_subscriber_of_a_topic_gets_every_message()
    {
        const int count = 50;
        var topic = Destination.Topic(Eventually.UniqueQueue("fan-out"));
        var logs = new[] { new DeliveryLog(), new DeliveryLog() };
        foreach (var log in logs)
        {
            Own(Started(MessageConsumer.ForSingleMessages<TestMessage>(await ConnectAsync(), topic, new ConsumerOptions(), (m, _) =>
            {
                log.Record(m);
                return Task.CompletedTask;
            }, NullLogger.Instance)));
        }

        await Task.Delay(300); // a topic keeps nothing for subscribers that are not there yet

        var publisher = new MessagePublisher(await ConnectAsync());
        foreach (var id in Enumerable.Range(0, count))
        {
            await publisher.PublishAsync(topic, new TestMessage(id), Delivery.Transient);
        }

        await Eventually.Until(() => logs.All(l => l.Unique == count), Patience, () => $"{logs[0].Unique} and {logs[1].Unique} of {count}");
        logs.ShouldAllBe(l => l.Total == count);
    }

    [Fact]
    public async Task Concurrent_handlers_run_in_parallel()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("concurrency"));
        var transport = await ConnectAsync();
        var running = 0;
        var peak = 0;
        var done = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Own(Started(MessageConsumer.ForSingleMessages<TestMessage>(transport, queue, new ConsumerOptions { Concurrency = 4, Prefetch = 20 }, async (_, token) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            if (now == 4)
            {
                release.TrySetResult(); // four at once: the most the options allow
            }

            await release.Task.WaitAsync(token);
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref done);
        }, NullLogger.Instance)));

        var publisher = new MessagePublisher(transport);
        await publisher.PublishTestMessagesAsync(queue, 8);

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
        var transport = await ConnectAsync();
        var sizes = new ConcurrentQueue<int>();
        var publisher = new MessagePublisher(transport);
        await publisher.PublishTestMessagesAsync(queue, 25);

        Own(Started(new MessageConsumer<TestMessage>(transport, queue, new ConsumerOptions { Prefetch = 100, BatchTimeoutMilliseconds = 300 }, 10, (batch, _) =>
        {
            sizes.Enqueue(batch.Count);
            return Task.CompletedTask;
        }, NullLogger.Instance)));

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
        var transport = await ConnectAsync();
        var received = new TaskCompletionSource<(ActivityContext Parent, ActivityTraceId HandlerTrace)>();
        Own(Started(MessageConsumer.ForSingleMessages<TestMessage>(transport, queue, new ConsumerOptions(), (m, _) =>
        {
            received.TrySetResult((m.ParentContext, Activity.Current!.TraceId));
            return Task.CompletedTask;
        }, NullLogger.Instance)));

        using var origin = new Activity("simulated request").Start();
        await new MessagePublisher(transport).PublishAsync(queue, new TestMessage(1));
        origin.Stop();

        var (parent, handlerTrace) = await received.Task.WaitAsync(Patience);
        parent.TraceId.ShouldBe(origin.TraceId);
        handlerTrace.ShouldBe(origin.TraceId, "the handler runs inside the publisher's trace");
    }

    [Fact]
    public async Task A_failing_handler_is_retried_then_its_message_lands_in_the_queues_dead_letter_queue_and_the_next_messages_flow()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("dlq"));
        var transport = await ConnectAsync();
        var dead = DeadLetters(transport, queue);
        var attempts = new ConcurrentDictionary<int, int>();
        var handled = new DeliveryLog();
        using var metrics = new CounterWatch(queue);
        Own(Started(MessageConsumer.ForSingleMessages<TestMessage>(transport, queue, QuickRetries, (m, _) =>
        {
            attempts.AddOrUpdate(m.Message.Id, 1, (_, n) => n + 1);
            if (m.Message.Text == "explode")
            {
                throw new InvalidOperationException("the store said no");
            }

            handled.Record(m);
            return Task.CompletedTask;
        }, NullLogger.Instance)));

        var publisher = new MessagePublisher(transport);
        await publisher.PublishAsync(queue, new TestMessage(0, "explode"));
        await publisher.PublishTestMessagesAsync(queue, 20, first: 1);

        await Eventually.Until(() => handled.Unique == 20 && !dead.IsEmpty, Patience, () => $"{handled.Unique} handled, {dead.Count} dead-lettered");
        attempts[0].ShouldBe(3, "one attempt and two retries");
        var deadLetter = dead.ShouldHaveSingleItem();
        MessageSerializer.TryDeserialize<TestMessage>(deadLetter.Body, out var deadMessage, out _).ShouldBeTrue();
        deadMessage!.Text.ShouldBe("explode");
        if (DeadLettersCarryTheConsumersReason)
        {
            deadLetter.Cause.ShouldBe("the store said no");
        }

        handled.Ids.ShouldNotContain(0);
        metrics.Value("dead_lettered").ShouldBe(1);
        metrics.Value("handler_retries").ShouldBe(2);
        metrics.Value("acked").ShouldBe(20);
    }

    [Fact]
    public async Task A_body_that_cannot_be_deserialised_is_dead_lettered_at_once_without_calling_the_handler()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("malformed"));
        var transport = await ConnectAsync();
        var dead = DeadLetters(transport, queue);
        var handled = new DeliveryLog();
        Own(Started(MessageConsumer.ForSingleMessages<TestMessage>(transport, queue, QuickRetries, (m, _) =>
        {
            handled.Record(m);
            return Task.CompletedTask;
        }, NullLogger.Instance)));

        await transport.SendAsync(queue, [new("persistent", "true")], "{not json"u8.ToArray());
        await transport.SendAsync(queue, [new("persistent", "true")], "null"u8.ToArray());
        await transport.SendAsync(queue, [new("persistent", "true")], ReadOnlyMemory<byte>.Empty);
        await new MessagePublisher(transport).PublishAsync(queue, new TestMessage(7));

        await Eventually.Until(() => handled.Unique == 1 && dead.Count == 3, Patience, () => $"{handled.Unique} handled, {dead.Count} dead-lettered");
        dead.Select(m => m.Text).ShouldBe(["{not json", "null", ""], ignoreOrder: true);
        if (DeadLettersCarryTheConsumersReason)
        {
            dead.Single(m => m.Text == "null").Cause.ShouldBe("the message body is JSON null");
        }

        handled.Ids.ShouldBe([7]);
    }

    [Fact]
    public async Task In_a_failing_batch_only_the_culprit_is_dead_lettered_and_rejected_messages_skip_retries()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("batch-poison"));
        var transport = await ConnectAsync();
        var dead = DeadLetters(transport, queue);
        var stored = new DeliveryLog();
        var rejectedAttempts = 0;
        var publisher = new MessagePublisher(transport);
        await publisher.PublishAsync(queue, new TestMessage(0, "explode"));
        await publisher.PublishAsync(queue, new TestMessage(1, "invalid"));
        await publisher.PublishTestMessagesAsync(queue, 18, first: 2);

        // All 20 are queued before the consumer starts and the batch window is long, so the first batch holds all of them.
        var options = new ConsumerOptions { RetryLimit = 2, RetryDelayMilliseconds = 20, Prefetch = 20, BatchTimeoutMilliseconds = 2_000 };
        Own(Started(new MessageConsumer<TestMessage>(transport, queue, options, 20, (batch, _) =>
        {
            foreach (var message in batch.Where(m => m.Message.Text == "invalid"))
            {
                Interlocked.Increment(ref rejectedAttempts);
                message.Reject("coordinates out of range");
            }

            if (batch.Any(m => m.Message.Text == "explode"))
            {
                throw new InvalidOperationException("a write failed because of one message");
            }

            batch.Where(m => m.RejectionReason is null).ToList().ForEach(stored.Record);
            return Task.CompletedTask;
        }, NullLogger.Instance)));

        await Eventually.Until(() => stored.Unique == 18 && dead.Count == 2, Patience, () => $"{stored.Unique} stored, {dead.Count} dead-lettered");
        stored.Ids.ShouldNotContain(0);
        stored.Ids.ShouldNotContain(1);
        dead.Select(m => MessageSerializer.TryDeserialize<TestMessage>(m.Body, out var t, out _) ? t!.Id : -1).ShouldBe([0, 1], ignoreOrder: true);
        rejectedAttempts.ShouldBe(4, "rejected in the three batch attempts, then once alone: never retried on its own");
        if (DeadLettersCarryTheConsumersReason)
        {
            dead.Select(m => m.Cause).ShouldBe(["a write failed because of one message", "coordinates out of range"], ignoreOrder: true);
        }
    }

    [Fact]
    public async Task An_unavailable_dependency_holds_messages_beyond_the_retry_limit_and_never_dead_letters_them()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("outage"));
        var transport = await ConnectAsync();
        var dead = DeadLetters(transport, queue);
        var attempts = 0;
        var handled = new DeliveryLog();
        Own(Started(MessageConsumer.ForSingleMessages<TestMessage>(transport, queue, QuickRetries, (m, _) =>
        {
            if (Interlocked.Increment(ref attempts) <= 6)
            {
                throw new DependencyUnavailableException("the store", new IOException("connection refused"));
            }

            handled.Record(m);
            return Task.CompletedTask;
        }, NullLogger.Instance)));

        await new MessagePublisher(transport).PublishAsync(queue, new TestMessage(1));

        await Eventually.Until(() => handled.Unique == 1, Patience, () => $"{attempts} attempts, {dead.Count} dead-lettered");
        attempts.ShouldBe(7, "six outage retries, more than the retry limit of two, then success");
        dead.ShouldBeEmpty();
    }

    [Fact]
    public async Task Stopping_a_consumer_finishes_in_flight_work_and_releases_buffered_messages()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("graceful"));
        var transport = await ConnectAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = 0;
        var consumer = Started(MessageConsumer.ForSingleMessages<TestMessage>(transport, queue, new ConsumerOptions { Prefetch = 10 }, async (_, token) =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(token);
            Interlocked.Increment(ref finished);
        }, NullLogger.Instance));
        var publisher = new MessagePublisher(transport);
        await publisher.PublishTestMessagesAsync(queue, 10);
        await started.Task.WaitAsync(Patience);

        var stopping = consumer.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        release.SetResult(); // the running handler finishes while the consumer stops
        await stopping;
        finished.ShouldBe(1, "the running handler completed; no new one started");

        var log = new DeliveryLog();
        Own(Started(MessageConsumer.ForSingleMessages<TestMessage>(transport, queue, new ConsumerOptions(), (m, _) =>
        {
            log.Record(m);
            return Task.CompletedTask;
        }, NullLogger.Instance)));
        await Eventually.Until(() => log.Unique == 9, Patience, () => $"{log.Unique} of 9 released messages reached the next consumer");
        await Task.Delay(300);
        log.Total.ShouldBe(9, "the finished message was acked, not redelivered");
        await consumer.DisposeAsync();
    }

    [Fact]
    public async Task Stopping_a_consumer_while_its_batch_window_is_open_does_not_wait_for_the_window()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("window-stop"));
        var transport = await ConnectAsync();
        using var counters = new CounterWatch(queue);
        var handled = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        // A window far longer than the test waits below: only the stop can close it.
        var consumer = Started(new MessageConsumer<TestMessage>(transport, queue, new ConsumerOptions { Prefetch = 10, BatchTimeoutMilliseconds = 60_000 }, 10, (batch, _) =>
        {
            handled.TrySetResult(batch.Count);
            return Task.CompletedTask;
        }, NullLogger.Instance));
        var publisher = new MessagePublisher(transport);
        await publisher.PublishTestMessagesAsync(queue, 3);
        await Eventually.Until(() => counters.Value("consumed") == 3, Patience, () => $"{counters.Value("consumed")} of 3 delivered");

        // The stop closes the window at once (far sooner than its minute). The worker has taken the first message by now,
        // unless the machine is too busy to have run it yet: then all three are released unhandled, which is right too.
        await consumer.StopAsync(new CancellationTokenSource(Patience).Token).WaitAsync(TimeSpan.FromSeconds(20));
        var count = handled.Task.IsCompleted ? await handled.Task : 0;
        count.ShouldBeInRange(0, 3);
        counters.Value("acked").ShouldBe(count, "the partial batch was handled and settled before the stop returned");
        await consumer.DisposeAsync();
    }

    /// <summary>Subscribes to the queue's DLQ.&lt;name&gt; and collects (and acks) what lands there.</summary>
    private static ConcurrentQueue<DeadLettered> DeadLetters(IMessageTransport transport, Destination queue)
    {
        var dead = new ConcurrentQueue<DeadLettered>();
        transport.Subscribe(queue.DeadLetterQueue, 100, message =>
        {
            dead.Enqueue(new DeadLettered(message.Body, message.BodyText, message.Header("dlqDeliveryFailureCause")));
            message.Ack();
        });
        return dead;
    }

    private static MessageConsumer<T> Started<T>(MessageConsumer<T> consumer)
    {
        consumer.Start();
        return consumer;
    }

    /// <summary>Disposed (consumers stopped, connections closed) when the test ends, last owned first.</summary>
    protected void Own(IAsyncDisposable disposable) => _owned.Add(disposable);

    private sealed record DeadLettered(ReadOnlyMemory<byte> Body, string Text, string? Cause);
}
