// Subscribes to a queue and holds every message without acking, printing "received <n> <body>" per message,
// until it is killed. Usage: Fleetman.Messaging.ProbeConsumer <queue> <prefetch>; broker from Broker__* variables.
using System.Globalization;
using Fleetman.Messaging;
using Fleetman.Messaging.Stomp;
using Microsoft.Extensions.Options;

var options = new BrokerOptions
{
    Host = Environment.GetEnvironmentVariable("Broker__Host") ?? "127.0.0.1",
    Port = int.Parse(Environment.GetEnvironmentVariable("Broker__Port") ?? "61613", CultureInfo.InvariantCulture),
    Username = Environment.GetEnvironmentVariable("Broker__Username"),
    Password = Environment.GetEnvironmentVariable("Broker__Password"),
};
await using var client = new BrokerClient(Options.Create(options));
var received = 0;
using var subscription = client.Subscribe(Destination.Queue(args[0]), int.Parse(args[1], CultureInfo.InvariantCulture), message =>
{
    var count = Interlocked.Increment(ref received);
    Console.Out.WriteLine($"received {count} {message.BodyText}");
    Console.Out.Flush();
});
await client.WaitUntilConnectedAsync(CancellationToken.None);
Console.Out.WriteLine("subscribed");
Console.Out.Flush();
await Task.Delay(Timeout.Infinite);
