namespace Fleetman.PositionStore;

/// <summary>
/// Fleet events, what each vehicle's events were derived from so far, and the geofences, kept beside the positions
/// (every <see cref="IPositionStore"/> implements it too), so every queue-consumer replica and the tracker share them.
/// </summary>
public interface IFleetEventStore
{
    /// <summary>
    /// Stores the events whose id is not stored yet and returns those (the others were stored before: a redelivered batch,
    /// or another consumer). Idempotent by <see cref="FleetEvent.Id"/>, enforced by a unique key.
    /// </summary>
    Task<IReadOnlyList<FleetEvent>> AddEventsAsync(IReadOnlyCollection<FleetEvent> events, CancellationToken cancellationToken);

    /// <summary>Events with time ≥ <paramref name="since"/> (optional), newest first (then by id), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<FleetEvent>> GetEventsAsync(DateTimeOffset? since, int limit, CancellationToken cancellationToken);

    /// <summary>The event state of each of these vehicles that has one.</summary>
    Task<IReadOnlyDictionary<string, FleetEventState>> GetEventStatesAsync(IReadOnlyCollection<string> vehicles, CancellationToken cancellationToken);

    /// <summary>Saves each state unless the stored one is as new or newer (by <see cref="FleetEventState.Time"/>): newest wins.</summary>
    Task SaveEventStatesAsync(IReadOnlyCollection<FleetEventState> states, CancellationToken cancellationToken);

    /// <summary>
    /// One batch of the queue-consumer's work: appends the positions (as <see cref="IPositionStore.AppendAsync"/>), adds
    /// the events (as <see cref="AddEventsAsync"/>), then saves the states (as <see cref="SaveEventStatesAsync"/>), in
    /// that order, so a failure part-way leaves states that a redelivered batch derives the same events from again.
    /// A store that has transactions writes all three at once (SQLite: one commit, one sync to disk instead of three).
    /// </summary>
    /// <returns>How many positions were new, and the events stored for the first time.</returns>
    /// <exception cref="ArgumentException">A position is not storable (checked before anything is written).</exception>
    Task<StoredBatch> AppendWithEventsAsync(
        IReadOnlyCollection<VehiclePosition> positions, IReadOnlyCollection<FleetEvent> events, IReadOnlyCollection<FleetEventState> states, CancellationToken cancellationToken);

    /// <summary>Every stored geofence, by name.</summary>
    Task<IReadOnlyList<Geofence>> GetGeofencesAsync(CancellationToken cancellationToken);

    /// <summary>Creates the geofence, or replaces the one of the same name.</summary>
    Task SaveGeofenceAsync(Geofence geofence, CancellationToken cancellationToken);

    /// <summary>Deletes the geofence of that name; false when there was none.</summary>
    Task<bool> DeleteGeofenceAsync(string name, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IFleetEventStore.AppendWithEventsAsync"/> stored for the first time.</summary>
/// <param name="PositionsAdded">Positions that were not stored before.</param>
/// <param name="EventsAdded">Events that were not stored before.</param>
public sealed record StoredBatch(int PositionsAdded, IReadOnlyList<FleetEvent> EventsAdded);

/// <summary>
/// What a vehicle's fleet events were derived from up to its position at <see cref="Time"/>: the next position is
/// compared with this one. Kept in the store, not in a consumer's memory, so a consumer restart, a second replica or a
/// redelivered batch continues from the same state.
/// </summary>
/// <param name="Time">The time of the last position taken into account; later positions only are derived from.</param>
/// <param name="Latitude">Where that position was (the next speed is measured from it).</param>
/// <param name="Overspeeding">An overspeed started and has not ended.</param>
/// <param name="SlowSince">The time of the first report of the current run of reports slower than the stopped threshold.</param>
/// <param name="Stopped">A stopped event was given and no moving-again since.</param>
/// <param name="Inside">The geofences the vehicle is inside, by name.</param>
public sealed record FleetEventState(
    string Vehicle, DateTimeOffset Time, double Latitude, double Longitude, bool Overspeeding, DateTimeOffset? SlowSince, bool Stopped, IReadOnlyList<string> Inside);

/// <summary>What both stores check the same way.</summary>
internal static class StoredFleetEvents
{
    /// <exception cref="ArgumentException">The geofence is not usable (<see cref="Geofence.Problem"/>).</exception>
    public static void Check(Geofence geofence)
    {
        ArgumentNullException.ThrowIfNull(geofence);
        if (geofence.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(geofence));
        }
    }

    /// <summary>Times truncated to the millisecond as stored, and each id once.</summary>
    public static List<FleetEvent> Prepare(IReadOnlyCollection<FleetEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return [.. events.Where(e => seen.Add(e.Id)).Select(e => e with { Time = StoredPositions.Truncate(e.Time) })];
    }
}
