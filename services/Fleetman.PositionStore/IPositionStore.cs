namespace Fleetman.PositionStore;

/// <summary>
/// The history of every vehicle's positions. Writes are idempotent by (vehicle, time): the same report stored twice
/// (a redelivered message) is kept once. Implementations: SQLite (embedded default) and MongoDB (deployments).
/// </summary>
public interface IPositionStore
{
    /// <summary>Creates the schema, collection and indexes if they are missing. Safe to call at every start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Stores positions durably; returns how many were new (not already stored for that vehicle and time).</summary>
    Task<int> AppendAsync(IReadOnlyCollection<VehiclePosition> positions, CancellationToken cancellationToken);

    /// <summary>The newest stored position of each of these vehicles that has one (the base for the next speed).</summary>
    Task<IReadOnlyDictionary<string, VehiclePosition>> GetLatestAsync(IReadOnlyCollection<string> vehicles, CancellationToken cancellationToken);

    /// <summary>The newest stored position of every vehicle, ordered by vehicle name.</summary>
    Task<IReadOnlyList<VehiclePosition>> GetLatestOfAllAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Positions of one vehicle with <paramref name="since"/> ≤ time ≤ <paramref name="until"/> (either bound optional),
    /// oldest first. When more than <paramref name="limit"/> match, the most recent <paramref name="limit"/> are returned
    /// (still oldest first): the end of a trail is what a map needs.
    /// </summary>
    Task<IReadOnlyList<VehiclePosition>> GetHistoryAsync(string vehicle, DateTimeOffset? since, DateTimeOffset? until, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Positions of every vehicle with <paramref name="since"/> ≤ time ≤ <paramref name="until"/>, ordered by time (then
    /// vehicle name), the first <paramref name="limit"/> of them: a replay reads a window forward, page by page, each
    /// page starting at the last time of the one before (positions at that very time come again; a reader drops
    /// the (vehicle, time) pairs it already has).
    /// </summary>
    Task<IReadOnlyList<VehiclePosition>> GetFleetHistoryAsync(DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken);

    /// <summary>How many positions are stored, for one vehicle or (null) for all.</summary>
    Task<long> CountAsync(string? vehicle, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes every position of the history whose time is before <paramref name="cutoff"/> (truncated to the millisecond
    /// like stored times; a position at the cutoff itself is kept) and returns how many were deleted. The newest position
    /// of each vehicle kept for <see cref="GetLatestAsync"/> and <see cref="GetLatestOfAllAsync"/> is not history and stays.
    /// Used by the retention sweep (<c>dotnet Fleetman.PositionTracker.dll retention-sweep</c>).
    /// </summary>
    Task<long> DeleteHistoryBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);

    /// <summary>Throws when the store cannot be reached; used by the readiness check.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
