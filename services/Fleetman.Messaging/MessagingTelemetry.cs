using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Fleetman.Messaging.Stomp;

namespace Fleetman.Messaging;

/// <summary>
/// The library's traces and metrics. Both are named "Fleetman.Messaging" so service defaults pick them up
/// (OpenTelemetry by name, prometheus-net through its meter adapter).
/// </summary>
internal static class MessagingTelemetry
{
    public const string Name = "Fleetman.Messaging";

    public static readonly ActivitySource ActivitySource = new(Name);

    // Instrument names are short because exporters put the meter's name in front: prometheus-net renders
    // "published" of meter Fleetman.Messaging as fleetman_messaging_published.
    private static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Published = Meter.CreateCounter<long>("published", "{message}", "Messages the transport confirmed (the broker with a receipt).");
    internal static readonly Counter<long> Consumed = Meter.CreateCounter<long>("consumed", "{message}", "Messages delivered to this process.");
    internal static readonly Counter<long> Acked = Meter.CreateCounter<long>("acked", "{message}", "Messages acknowledged after their handler succeeded.");
    internal static readonly Counter<long> Nacked = Meter.CreateCounter<long>("nacked", "{message}", "Messages NACKed; each goes to its queue's dead-letter queue.");
    internal static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("dead_lettered", "{message}", "Messages sent to the dead-letter queue, by reason.");
    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>("handler_retries", "{attempt}", "Handler attempts retried after a failure.");
    internal static readonly Counter<long> Reconnects = Meter.CreateCounter<long>("reconnects", "{connection}", "Connections to the broker re-established after a loss.");
    internal static readonly UpDownCounter<long> InFlight = Meter.CreateUpDownCounter<long>("in_flight", "{message}", "Messages received and not yet acked or NACKed.");

    // Pollers of this process, read on every collection; registered before the gauge that reads them is created.
    private static readonly ConcurrentDictionary<QueueDepthGauge, byte> QueueDepthSources = new();

    internal static readonly ObservableGauge<double> QueueDepth = Meter.CreateObservableGauge(
        "queue_depth", ObserveQueueDepths, "{message}", "Messages waiting in the queue, from the broker's statistics; NaN while unknown.");

    internal static KeyValuePair<string, object?> DestinationTag(Destination destination) => new("destination", destination.Name);

    /// <summary>A transport handed a message to a subscription: it is now in flight until settled.</summary>
    internal static void Delivered(Destination destination)
    {
        Consumed.Add(1, DestinationTag(destination));
        InFlight.Add(1, DestinationTag(destination));
    }

    internal static IDisposable AddQueueDepthSource(QueueDepthGauge gauge)
    {
        QueueDepthSources[gauge] = 0;
        return new Registration(() => QueueDepthSources.TryRemove(gauge, out _));
    }

    private static IEnumerable<Measurement<double>> ObserveQueueDepths()
    {
        foreach (var gauge in QueueDepthSources.Keys)
        {
            if (gauge.Depth is { } depth)
            {
                yield return new Measurement<double>(depth, new KeyValuePair<string, object?>("queue", gauge.Queue.Name));
            }
        }
    }

    private sealed class Registration(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
