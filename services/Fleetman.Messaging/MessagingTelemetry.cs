using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Fleetman.Messaging;

/// <summary>
/// The library's traces and metrics. Both are named "Fleetman.Messaging" so service defaults pick them up
/// (OpenTelemetry by name, prometheus-net through its meter adapter).
/// </summary>
public static class MessagingTelemetry
{
    public const string Name = "Fleetman.Messaging";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Published = Meter.CreateCounter<long>("fleetman.messaging.published", "{message}", "Messages the broker confirmed with a receipt.");
    internal static readonly Counter<long> Consumed = Meter.CreateCounter<long>("fleetman.messaging.consumed", "{message}", "Messages delivered to this process.");
    internal static readonly Counter<long> Acked = Meter.CreateCounter<long>("fleetman.messaging.acked", "{message}", "Messages acknowledged after their handler succeeded.");
    internal static readonly Counter<long> Nacked = Meter.CreateCounter<long>("fleetman.messaging.nacked", "{message}", "Messages NACKed; on ActiveMQ each goes to the dead-letter queue.");
    internal static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("fleetman.messaging.dead_lettered", "{message}", "Messages sent to the dead-letter queue, by reason.");
    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>("fleetman.messaging.handler_retries", "{attempt}", "Handler attempts retried after a failure.");
    internal static readonly Counter<long> Reconnects = Meter.CreateCounter<long>("fleetman.messaging.reconnects", "{connection}", "Connections to the broker re-established after a loss.");
    internal static readonly UpDownCounter<long> InFlight = Meter.CreateUpDownCounter<long>("fleetman.messaging.in_flight", "{message}", "Messages received and not yet acked or NACKed.");

    internal static KeyValuePair<string, object?> DestinationTag(Destination destination) => new("destination", destination.Name);
}
