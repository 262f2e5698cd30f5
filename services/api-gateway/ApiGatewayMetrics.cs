using System.Diagnostics.Metrics;

namespace Fleetman.ApiGateway;

/// <summary>
/// The api-gateway's instruments: meter "Fleetman.ApiGateway" (exported by the service defaults; on <c>/metrics</c> as
/// <c>fleetman_apigateway_*</c>).
/// </summary>
public sealed class ApiGatewayMetrics
{
    public const string MeterName = "Fleetman.ApiGateway";

    private readonly Counter<long> _frames;
    private readonly Counter<long> _positions;
    private readonly Histogram<double> _pushLag;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _eventsDropped;
    private readonly Counter<long> _framesNotSent;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _removed;
    private int _connections;

    public ApiGatewayMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("hub.connections", () => Volatile.Read(ref _connections), "{connection}", "Browsers connected to this replica's hub.");
        _frames = meter.CreateCounter<long>("hub.frames", "{frame}", "Messages pushed to hub connections (kind: snapshot or positions).");
        _positions = meter.CreateCounter<long>("hub.positions", "{position}", "Vehicle positions pushed to hub connections, summed over connections (kind: snapshot or positions).");
        // Buckets around the goal (p99 < 150 ms; a position waits up to one push interval, 50 ms, for its frame): the
        // exporter's default ones grow ×4 (163.84, then 655.36 ms) and hid where the tail lies.
        _pushLag = meter.CreateHistogram<double>("hub.push_lag", "ms",
            "For each positions frame: from when the queue-consumer stored the oldest update in it to when the frame was pushed.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PushLagBuckets });
        _dropped = meter.CreateCounterFromZero("hub.positions_dropped", "{position}",
            "Positions not pushed because a slow connection's buffer was full (reason: buffer_full or follow_backlog_full).");
        _eventsDropped = meter.CreateCounterFromZero("hub.events_dropped", "{event}",
            "Fleet events not pushed because a connection that does not read had the most that may wait (the oldest go; they are stored, and a reload reads them).");
        _framesNotSent = meter.CreateCounterFromZero("hub.frames_not_sent", "{frame}",
            "Frames a hub connection could not be sent for a reason other than its closing (reason: backplane, serialization or other).");
        _fallbacks = meter.CreateCounterFromZero("fallback.answers", "{response}", "REST answers served from the last known positions in Redis because the tracker did not answer.");
        _removed = meter.CreateCounterFromZero("vehicles.removed", "{vehicle}", "Vehicles this replica heard had left the fleet and told its connections to drop.");
    }

    /// <summary>The bucket bounds of <c>hub.push_lag</c>, in ms.</summary>
    public static readonly double[] PushLagBuckets = [10, 25, 50, 75, 100, 125, 150, 200, 250, 300, 400, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 10_000];

    public int Connections => Volatile.Read(ref _connections);

    public void ConnectionOpened() => Interlocked.Increment(ref _connections);

    public void ConnectionClosed() => Interlocked.Decrement(ref _connections);

    public void SnapshotPushed(int positions)
    {
        var kind = new KeyValuePair<string, object?>("kind", "snapshot");
        _frames.Add(1, kind);
        _positions.Add(positions, kind);
    }

    public void FramePushed(int positions, double lagMilliseconds)
    {
        var kind = new KeyValuePair<string, object?>("kind", "positions");
        _frames.Add(1, kind);
        _positions.Add(positions, kind);
        _pushLag.Record(Math.Max(0, lagMilliseconds));
    }

    public void PositionsDropped(int count, string reason) => _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public void EventsDropped(int count) => _eventsDropped.Add(count);

    public void FrameNotSent(string reason) => _framesNotSent.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void VehiclesRemoved(int count) => _removed.Add(count);

    public void FallbackAnswered(string route) => _fallbacks.Add(1, new KeyValuePair<string, object?>("route", route));
}
