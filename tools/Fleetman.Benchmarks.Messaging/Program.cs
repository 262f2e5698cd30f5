// Measures persistent messages per second end to end (first publish to last ack) through Fleetman.Messaging
// against a real ActiveMQ, for several producer/consumer layouts. Broker from Broker__* variables.
// Usage: Fleetman.Benchmarks.Messaging [messages per run, default 20000] [runs per layout, default 3]
using System.Diagnostics;
using System.Globalization;
using Fleetman.Benchmarks;
using Fleetman.Messaging;
using Fleetman.Messaging.Stomp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

var messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var broker = new BrokerOptions
{
    Host = Environment.GetEnvironmentVariable("Broker__Host") ?? "127.0.0.1",
    Port = int.Parse(Environment.GetEnvironmentVariable("Broker__Port") ?? "61613", CultureInfo.InvariantCulture),
    Username = Environment.GetEnvironmentVariable("Broker__Username"),
    Password = Environment.GetEnvironmentVariable("Broker__Password"),
};

var results = new BenchmarkResults("messaging");
results.Add("messages_per_run", messages, "messages");
results.Add("runs_per_layout", runs, "runs");

// Key: the layout's name in the machine-readable results (msgs_per_second_best_<key>, msgs_per_second_median_<key>).
(string Name, string Key, int Producers, int Consumers, int BatchSize)[] layouts =
[
    ("1 producer / 1 consumer, single-message handler", "1p1c", 1, 1, 1),
    ("2 producers / 2 consumers, single-message handlers", "2p2c", 2, 2, 1),
    ("1 producer / 1 consumer, batches of 100", "1p1c_batch100", 1, 1, 100),
    ("2 producers / 2 consumers, batches of 100", "2p2c_batch100", 2, 2, 100),
];

Console.WriteLine($"Persistent messages end to end through Fleetman.Messaging, ActiveMQ at {broker}, {messages:N0} messages per run, best and median of {runs} runs");
await RunAsync(1, 1, 1, Math.Min(messages, 2_000)); // warm-up: JIT, connections, broker caches
Console.WriteLine();
Console.WriteLine($"| {"layout",-52} | {"best msg/s",10} | {"median msg/s",12} |");
Console.WriteLine($"|{new string('-', 54)}|{new string('-', 12)}|{new string('-', 14)}|");
foreach (var (name, key, producers, consumers, batchSize) in layouts)
{
    var rates = new List<double>();
    for (var run = 0; run < runs; run++)
    {
        rates.Add(await RunAsync(producers, consumers, batchSize, messages));
    }

    rates.Sort();
    Console.WriteLine($"| {name,-52} | {rates[^1],10:N0} | {rates[rates.Count / 2],12:N0} |");
    results.Add($"msgs_per_second_best_{key}", rates[^1], "msg/s");
    results.Add($"msgs_per_second_median_{key}", rates[rates.Count / 2], "msg/s");
}

async Task<double> RunAsync(int producerCount, int consumerCount, int batchSize, int count)
{
    var queue = Destination.Queue($"bench.{Guid.NewGuid():N}");
    var consumed = 0;
    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var clients = new List<BrokerClient>();
    var consumers = new List<MessageConsumer<PositionLike>>();
    for (var i = 0; i < consumerCount; i++)
    {
        var client = await ConnectAsync();
        clients.Add(client);
        var consumer = new MessageConsumer<PositionLike>(client, queue, new ConsumerOptions { Prefetch = 1_000, BatchTimeoutMilliseconds = 5 }, batchSize, (batch, _) =>
        {
            if (Interlocked.Add(ref consumed, batch.Count) >= count)
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        }, NullLogger.Instance);
        consumer.Start();
        consumers.Add(consumer);
    }

    var publishers = new List<MessagePublisher>();
    for (var i = 0; i < producerCount; i++)
    {
        var client = await ConnectAsync();
        clients.Add(client);
        publishers.Add(new MessagePublisher(client, MessageTopology.Default));
    }

    await Task.Delay(200); // subscriptions registered before the clock starts
    var clock = Stopwatch.StartNew();
    var perProducer = count / producerCount;
    await Task.WhenAll(publishers.Select((publisher, p) => Task.Run(() => Task.WhenAll(Enumerable.Range(0, perProducer).Select(i =>
        publisher.PublishAsync(queue, new PositionLike($"vehicle-{i % 1000}", 53.38 + (i * 1e-5), -1.47, DateTimeOffset.UtcNow, p * perProducer + i), Delivery.Persistent))))));
    await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
    clock.Stop();

    foreach (var consumer in consumers)
    {
        await consumer.DisposeAsync();
    }

    foreach (var client in clients)
    {
        await client.DisposeAsync();
    }

    return count / clock.Elapsed.TotalSeconds;
}

async Task<BrokerClient> ConnectAsync()
{
    var client = new BrokerClient(Options.Create(broker));
    await client.WaitUntilConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
    return client;
}

/// <summary>A body the size and shape of a real position report.</summary>
internal sealed record PositionLike(string Vehicle, double Lat, double Long, DateTimeOffset Time, int Sequence);
