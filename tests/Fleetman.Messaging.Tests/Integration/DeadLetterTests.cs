using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Fleetman.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleetman.Messaging.Tests.Integration;

[Collection(SharedBrokerTests.Name)]
public sealed class DeadLetterTests(SharedBrokerFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly ConsumerOptions QuickRetries = new() { RetryLimit = 2, RetryDelayMilliseconds = 20, RetryMaxDelayMilliseconds = 100, Prefetch = 20 };

    [Fact]
    public async Task A_failing_handler_is_retried_then_its_message_lands_in_the_queues_dead_letter_queue_and_the_next_messages_flow()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("dlq"));
        await using var client = await fixture.Broker.ConnectAsync();
        var dead = DeadLetters(client, queue);
        var attempts = new ConcurrentDictionary<int, int>();
        var handled = new DeliveryLog();
        using var metrics = new CounterWatch(queue);
        await using var consumer = MessageConsumer.ForSingleMessages<TestMessage>(client, queue, QuickRetries, (m, _) =>
        {
            attempts.AddOrUpdate(m.Message.Id, 1, (_, n) => n + 1);
            if (m.Message.Text == "explode")
            {
                throw new InvalidOperationException("the store said no");
            }

            handled.Record(m);
            return Task.CompletedTask;
        }, NullLogger.Instance);
        consumer.Start();

        var publisher = new MessagePublisher(client);
        await publisher.PublishAsync(queue, new TestMessage(0, "explode"));
        await Task.WhenAll(Enumerable.Range(1, 20).Select(id => publisher.PublishAsync(queue, new TestMessage(id))));

        await Eventually.Until(() => handled.Unique == 20 && !dead.IsEmpty, Patience, () => $"{handled.Unique} handled, {dead.Count} dead-lettered");
        attempts[0].ShouldBe(3, "one attempt and two retries");
        MessageSerializer.TryDeserialize<TestMessage>(dead.ShouldHaveSingleItem().Body, out var deadMessage, out _).ShouldBeTrue();
        deadMessage!.Text.ShouldBe("explode");
        handled.Ids.ShouldNotContain(0);
        metrics.Value("dead_lettered").ShouldBe(1);
        metrics.Value("handler_retries").ShouldBe(2);
        metrics.Value("acked").ShouldBe(20);
    }

    [Fact]
    public async Task A_body_that_cannot_be_deserialised_is_dead_lettered_at_once_without_calling_the_handler()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("malformed"));
        await using var client = await fixture.Broker.ConnectAsync();
        var dead = DeadLetters(client, queue);
        var handled = new DeliveryLog();
        await using var consumer = MessageConsumer.ForSingleMessages<TestMessage>(client, queue, QuickRetries, (m, _) =>
        {
            handled.Record(m);
            return Task.CompletedTask;
        }, NullLogger.Instance);
        consumer.Start();

        await client.SendAsync(queue, [new("persistent", "true")], "{not json"u8.ToArray());
        await client.SendAsync(queue, [new("persistent", "true")], "null"u8.ToArray());
        await client.SendAsync(queue, [new("persistent", "true")], ReadOnlyMemory<byte>.Empty);
        await new MessagePublisher(client).PublishAsync(queue, new TestMessage(7));

        await Eventually.Until(() => handled.Unique == 1 && dead.Count == 3, Patience, () => $"{handled.Unique} handled, {dead.Count} dead-lettered");
        dead.Select(m => m.Frame.BodyText).ShouldBe(["{not json", "null", ""], ignoreOrder: true);
        handled.Ids.ShouldBe([7]);
    }

    [Fact]
    public async Task In_a_failing_batch_only_the_culprit_is_dead_lettered_and_rejected_messages_skip_retries()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("batch-poison"));
        await using var client = await fixture.Broker.ConnectAsync();
        var dead = DeadLetters(client, queue);
        var stored = new DeliveryLog();
        var rejectedAttempts = 0;
        var publisher = new MessagePublisher(client);
        await publisher.PublishAsync(queue, new TestMessage(0, "explode"));
        await publisher.PublishAsync(queue, new TestMessage(1, "invalid"));
        await Task.WhenAll(Enumerable.Range(2, 18).Select(id => publisher.PublishAsync(queue, new TestMessage(id))));

        // All 20 are queued before the consumer starts and the batch window is long, so the first batch holds all of them.
        var options = new ConsumerOptions { RetryLimit = 2, RetryDelayMilliseconds = 20, Prefetch = 20, BatchTimeoutMilliseconds = 2_000 };
        await using var consumer = new MessageConsumer<TestMessage>(client, queue, options, 20, (batch, _) =>
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
        }, NullLogger.Instance);
        consumer.Start();

        await Eventually.Until(() => stored.Unique == 18 && dead.Count == 2, Patience, () => $"{stored.Unique} stored, {dead.Count} dead-lettered");
        stored.Ids.ShouldNotContain(0);
        stored.Ids.ShouldNotContain(1);
        dead.Select(m => MessageSerializer.TryDeserialize<TestMessage>(m.Body, out var t, out _) ? t!.Id : -1).ShouldBe([0, 1], ignoreOrder: true);
        rejectedAttempts.ShouldBe(4, "rejected in the three batch attempts, then once alone: never retried on its own");
    }

    [Fact]
    public async Task An_unavailable_dependency_holds_messages_beyond_the_retry_limit_and_never_dead_letters_them()
    {
        var queue = Destination.Queue(Eventually.UniqueQueue("outage"));
        await using var client = await fixture.Broker.ConnectAsync();
        var dead = DeadLetters(client, queue);
        var attempts = 0;
        var handled = new DeliveryLog();
        await using var consumer = MessageConsumer.ForSingleMessages<TestMessage>(client, queue, QuickRetries, (m, _) =>
        {
            if (Interlocked.Increment(ref attempts) <= 6)
            {
                throw new DependencyUnavailableException("the store", new IOException("connection refused"));
            }

            handled.Record(m);
            return Task.CompletedTask;
        }, NullLogger.Instance);
        consumer.Start();

        await new MessagePublisher(client).PublishAsync(queue, new TestMessage(1));

        await Eventually.Until(() => handled.Unique == 1, Patience, () => $"{attempts} attempts, {dead.Count} dead-lettered");
        attempts.ShouldBe(7, "six outage retries, more than the retry limit of two, then success");
        dead.ShouldBeEmpty();
    }

    /// <summary>Subscribes to the queue's DLQ.&lt;name&gt; and collects (and acks) what lands there.</summary>
    private static ConcurrentQueue<ReceivedMessage> DeadLetters(BrokerClient client, Destination queue)
    {
        var dead = new ConcurrentQueue<ReceivedMessage>();
        client.Subscribe(queue.DeadLetterQueue, 100, message =>
        {
            dead.Enqueue(message);
            message.Ack();
        });
        return dead;
    }
}

/// <summary>Sums the library's counters for one destination, as a metrics backend would.</summary>
internal sealed class CounterWatch : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();

    public CounterWatch(Destination destination)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MessagingTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "destination" && (string?)tag.Value == destination.Name)
                {
                    _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value);
                }
            }
        });
        _listener.Start();
    }

    public long Value(string instrument) => _totals.GetValueOrDefault(instrument);

    public void Dispose() => _listener.Dispose();
}
