using Fleetman.PositionStore;

namespace Fleetman.QueueConsumer.Events;

/// <summary>
/// The geofences in use: the configured ones and those stored through the admin API (a stored one replaces a
/// configured one of the same name), the stored ones read again every <see cref="FleetEventOptions.GeofenceRefresh"/>
/// so every replica picks up a change without a read per batch.
/// </summary>
internal sealed class GeofenceSource(IFleetEventStore store, IOptions<FleetEventOptions> options, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _reading = new(1, 1);
    private IReadOnlyList<Geofence>? _current;
    private DateTimeOffset _readAt;

    public async Task<IReadOnlyList<Geofence>> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && clock.GetUtcNow() - _readAt < options.Value.GeofenceRefresh)
        {
            return current;
        }

        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } fresh && clock.GetUtcNow() - _readAt < options.Value.GeofenceRefresh)
            {
                return fresh;
            }

            var stored = await store.GetGeofencesAsync(cancellationToken);
            var byName = options.Value.ConfiguredGeofences().ToDictionary(g => g.Name, StringComparer.Ordinal);
            foreach (var geofence in stored)
            {
                byName[geofence.Name] = geofence;
            }

            _current = [.. byName.Values.OrderBy(g => g.Name, StringComparer.Ordinal)];
            _readAt = clock.GetUtcNow();
            return _current;
        }
        finally
        {
            _reading.Release();
        }
    }

    public void Dispose() => _reading.Dispose();
}
