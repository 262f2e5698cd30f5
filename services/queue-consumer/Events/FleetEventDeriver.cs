using Fleetman.PositionStore;

namespace Fleetman.QueueConsumer.Events;

/// <summary>
/// Fleet events from one vehicle's consecutive positions. Pure: the same state and positions give the same events,
/// with the same ids, and the same next state, which is what makes a redelivered batch harmless.
/// </summary>
public static class FleetEventDeriver
{
    public const double KphPerMph = 1.609344;

    /// <summary>
    /// Goes through the vehicle's positions newer than <paramref name="state"/> in time order (times at millisecond
    /// precision, as stored; older ones were derived from already, or arrived late and are history only) and returns
    /// the events they cause and the state after them (null when there was nothing newer).
    /// </summary>
    /// <remarks>
    /// Each speed is measured from the state's position, not taken from the stored one, so events depend on nothing
    /// but the state: a batch redelivered after its positions were stored (whose stored speeds are then measured from
    /// the batch's newest point) derives what the first attempt derived.
    /// </remarks>
    public static (List<FleetEvent> Events, FleetEventState? State) Derive(
        string vehicle, IEnumerable<VehiclePosition> positions, FleetEventState? state, FleetEventOptions options, IReadOnlyList<Geofence> geofences)
    {
        var events = new List<FleetEvent>();
        var limit = options.LimitKphOf(vehicle);
        var newer = positions
            .Select(p => p with { Time = DateTimeOffset.FromUnixTimeMilliseconds(p.Time.ToUnixTimeMilliseconds()) })
            .Where(p => state is null || p.Time > state.Time)
            .OrderBy(p => p.Time);
        FleetEventState? next = null;
        foreach (var position in newer)
        {
            if (next is not null && position.Time == next.Time)
            {
                continue; // the same millisecond twice: stored once, derived once
            }

            var before = next ?? state;
            next = Step(vehicle, position, before, limit, options, geofences, events);
        }

        return (events, next);
    }

    /// <summary>
    /// The overspeed event a speed causes, if any. Hysteresis: an overspeed starts strictly above the limit and ends
    /// strictly below the limit less the margin; in between (and at either bound) nothing changes.
    /// </summary>
    public static FleetEventKind? OverspeedChange(bool overspeeding, double speedKph, double limitKph, double marginKph) =>
        !overspeeding && speedKph > limitKph ? FleetEventKind.OverspeedStarted
        : overspeeding && speedKph < limitKph - marginKph ? FleetEventKind.OverspeedEnded
        : null;

    private static FleetEventState Step(
        string vehicle, VehiclePosition position, FleetEventState? before, double limit, FleetEventOptions options, IReadOnlyList<Geofence> geofences, List<FleetEvent> events)
    {
        var time = position.Time;
        double? speed = before is null
            ? null
            : Geodesy.SpeedMph(before.Latitude, before.Longitude, before.Time, position.Latitude, position.Longitude, time) * KphPerMph;

        void Add(FleetEventKind kind, string? geofence = null, double? limitKph = null) =>
            events.Add(new FleetEvent(FleetEvent.IdOf(vehicle, kind, geofence, time), vehicle, kind, time, position.Latitude, position.Longitude, speed, geofence, limitKph));

        var overspeeding = before?.Overspeeding ?? false;
        var slowSince = before?.SlowSince;
        var stopped = before?.Stopped ?? false;
        if (speed is { } kph)
        {
            if (OverspeedChange(overspeeding, kph, limit, options.SpeedMarginKph) is { } change)
            {
                overspeeding = change == FleetEventKind.OverspeedStarted;
                Add(change, limitKph: limit);
            }

            if (kph < FleetEventOptions.StoppedBelowKph)
            {
                // It has stood since the point before: the speed is measured over the time since then.
                slowSince ??= before!.Time;
                if (!stopped && time - slowSince.Value >= options.StoppedAfter)
                {
                    stopped = true;
                    Add(FleetEventKind.Stopped);
                }
            }
            else
            {
                slowSince = null;
                if (stopped)
                {
                    stopped = false;
                    Add(FleetEventKind.MovingAgain);
                }
            }
        }

        // A geofence deleted while the vehicle was inside is forgotten without a "left" event; a new one around a
        // vehicle is "entered" at its next report, and so is a geofence a vehicle's first report is inside.
        var wasInside = before?.Inside ?? [];
        var inside = new List<string>();
        foreach (var geofence in geofences)
        {
            var isInside = geofence.Contains(position.Latitude, position.Longitude);
            var was = wasInside.Contains(geofence.Name, StringComparer.Ordinal);
            if (isInside)
            {
                inside.Add(geofence.Name);
                if (!was)
                {
                    Add(FleetEventKind.GeofenceEntered, geofence.Name);
                }
            }
            else if (was)
            {
                Add(FleetEventKind.GeofenceLeft, geofence.Name);
            }
        }

        return new FleetEventState(vehicle, time, position.Latitude, position.Longitude, overspeeding, slowSince, stopped, inside);
    }
}
