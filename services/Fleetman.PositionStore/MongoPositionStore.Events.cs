using MongoDB.Driver;
using static Fleetman.PositionStore.MongoDefinitions;

namespace Fleetman.PositionStore;

/// <summary>Fleet events, their per-vehicle state and the geofences, in regular collections beside the positions.</summary>
public sealed partial class MongoPositionStore
{
    /// <remarks>
    /// The event's id is the <c>_id</c>, so the server refuses a second copy (a duplicate key error) even when two
    /// consumers insert the same event at the same instant; the events refused that way were stored before.
    /// </remarks>
    public Task<IReadOnlyList<FleetEvent>> AddEventsAsync(IReadOnlyCollection<FleetEvent> events, CancellationToken cancellationToken)
    {
        var batch = StoredFleetEvents.Prepare(events);
        return StoredPositions.WriteAsync(batch, [], EnsureInitializedAsync, token => AddPreparedEventsAsync(batch, token), cancellationToken);
    }

    private async Task<IReadOnlyList<FleetEvent>> AddPreparedEventsAsync(List<FleetEvent> batch, CancellationToken cancellationToken)
    {
        try
        {
            await _events.InsertManyAsync(batch.Select(FleetEventDocument.From), Unordered, cancellationToken);
            return batch;
        }
        catch (MongoBulkWriteException<FleetEventDocument> e) when (e.WriteErrors.All(error => error.Category == ServerErrorCategory.DuplicateKey)
            && e.WriteConcernError is null)
        {
            var refused = e.WriteErrors.Select(error => error.Index).ToHashSet();
            return [.. batch.Where((_, index) => !refused.Contains(index))];
        }
    }

    /// <remarks>
    /// Three writes in the interface's order, not one transaction: a standalone server (the deployments' default) has
    /// none. Each write is idempotent, so a batch redelivered after a failure part-way repairs what is missing.
    /// </remarks>
    public async Task<StoredBatch> AppendWithEventsAsync(
        IReadOnlyCollection<VehiclePosition> positions, IReadOnlyCollection<FleetEvent> events, IReadOnlyCollection<FleetEventState> states, CancellationToken cancellationToken)
    {
        var added = await AppendAsync(positions, cancellationToken);
        var newEvents = await AddEventsAsync(events, cancellationToken);
        await SaveEventStatesAsync(states, cancellationToken);
        return new StoredBatch(added, newEvents);
    }

    public async Task<IReadOnlyList<FleetEvent>> GetEventsAsync(DateTimeOffset? since, int limit, CancellationToken cancellationToken)
    {
        StoredPositions.CheckLimit(limit);
        await EnsureInitializedAsync(cancellationToken);
        var documents = await _events.Find(EventsSinceFilter(since)).Sort(NewestEventsFirst()).Limit(limit).ToListAsync(cancellationToken);
        return documents.ConvertAll(document => document.ToEvent());
    }

    public Task<IReadOnlyDictionary<string, FleetEventState>> GetEventStatesAsync(IReadOnlyCollection<string> vehicles, CancellationToken cancellationToken) =>
        StoredPositions.ByVehicleAsync<FleetEventState>(vehicles, EnsureInitializedAsync, async states =>
        {
            foreach (var document in await _eventStates.Find(EventStatesOfFilter(vehicles)).ToListAsync(cancellationToken))
            {
                states[document.Vehicle] = document.ToState();
            }
        }, cancellationToken);

    /// <remarks>
    /// Each state is an upsert filtered on its vehicle and an older time: when the stored state is as new or newer the
    /// filter matches nothing, the upsert tries to insert a second document with the same <c>_id</c> and the server
    /// refuses it (duplicate key), which is the newest-wins outcome and is ignored.
    /// </remarks>
    public Task SaveEventStatesAsync(IReadOnlyCollection<FleetEventState> states, CancellationToken cancellationToken) =>
        StoredPositions.WriteAsync(states, EnsureInitializedAsync, token => UpsertEventStatesAsync(states, token), cancellationToken);

    private async Task UpsertEventStatesAsync(IReadOnlyCollection<FleetEventState> states, CancellationToken cancellationToken)
    {
        var writes = states
            .Select(FleetEventStateDocument.From)
            .Select(document => new ReplaceOneModel<FleetEventStateDocument>(OlderEventStateFilter(document.Vehicle, document.Time), document) { IsUpsert = true })
            .ToList();
        try
        {
            await _eventStates.BulkWriteAsync(writes, UnorderedBulk, cancellationToken);
        }
        catch (MongoBulkWriteException<FleetEventStateDocument> e) when (e.WriteErrors.All(error => error.Category == ServerErrorCategory.DuplicateKey)
            && e.WriteConcernError is null)
        {
            // A newer state is stored for those vehicles.
        }
    }

    public async Task<IReadOnlyList<Geofence>> GetGeofencesAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        var documents = await _geofences.Find(FilterDefinition<GeofenceDocument>.Empty).Sort(GeofencesByName()).ToListAsync(cancellationToken);
        return documents.ConvertAll(document => document.ToGeofence());
    }

    public async Task SaveGeofenceAsync(Geofence geofence, CancellationToken cancellationToken)
    {
        StoredFleetEvents.Check(geofence);
        await EnsureInitializedAsync(cancellationToken);
        await _geofences.ReplaceOneAsync(GeofenceFilter(geofence.Name), GeofenceDocument.From(geofence), new ReplaceOptions { IsUpsert = true }, cancellationToken);
    }

    public async Task<bool> DeleteGeofenceAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await EnsureInitializedAsync(cancellationToken);
        var result = await _geofences.DeleteOneAsync(GeofenceFilter(name), cancellationToken);
        return result.DeletedCount > 0;
    }
}
