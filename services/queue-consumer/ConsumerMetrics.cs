using System.Diagnostics.Metrics;

namespace Fleetman.QueueConsumer;

/// <summary>The queue-consumer's own counters (meter "Fleetman.QueueConsumer"; /metrics shows them as fleetman_queueconsumer_*).</summary>
internal static class ConsumerMetrics
{
    private static readonly Meter Meter = new("Fleetman.QueueConsumer");

    // A meter of its own so /metrics names it fleetman_fleet_events_total, the name the fleet's dashboards ask for.
    private static readonly Meter FleetMeter = new("Fleetman.Fleet");

    public static readonly Counter<long> Stored = Meter.CreateCounter<long>("positions.stored", "{position}", "Positions written to the store for the first time.");
    public static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("positions.duplicates", "{position}", "Redelivered reports that were already stored.");
    public static readonly Histogram<double> StoreLag = Meter.CreateHistogram<double>("positions.store_lag", "s",
        "For each position written to the store: from the time the vehicle reported it to the write (the consumer lag alert reads it).");
    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>("positions.rejected", "{position}", "Reports refused as unusable and dead-lettered.");
    public static readonly Counter<long> LatestNotUpdated = Meter.CreateCounter<long>("latest.not_updated", "{batch}", "Stored batches whose latest positions could not be written to Redis.");
    public static readonly Counter<long> VehiclesRetired = Meter.CreateCounter<long>("vehicles.retired", "{vehicle}", "Vehicles removed from the latest positions; reason: removed (the simulator retired them) or silent (the retention).");
    public static readonly Counter<long> RetirementsRejected = Meter.CreateCounter<long>("retirements.rejected", "{message}", "Retirement messages refused as unusable and dead-lettered.");
    public static readonly Counter<long> RemovalsNotPublished = Meter.CreateCounter<long>("removals.not_published", "{message}", "Removals whose vehicle-removals notification could not be sent (browsers learn of them on their next snapshot).");
    public static readonly Counter<long> FleetEvents = FleetMeter.CreateCounter<long>("events.total", "{event}",
        "Fleet events stored for the first time; kind: one of the six FleetEventKind labels (overspeed_started, ...).");
    public static readonly Counter<long> EventsNotPublished = Meter.CreateCounter<long>("events.not_published", "{batch}", "Stored fleet events whose fleet-events notification could not be sent.");
    public static readonly Counter<long> UpdatesNotPublished = Meter.CreateCounter<long>("updates.not_published", "{attempt}",
        "Failed sends of a stored batch's vehicle-updates notification; each is sent again until it goes out, the batch held unacked meanwhile.");
}
