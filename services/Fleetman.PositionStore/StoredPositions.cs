namespace Fleetman.PositionStore;

/// <summary>
/// What both stores do the same way, so they behave the same: validation, millisecond UTC times, the batch's
/// duplicates and its newest position per vehicle.
/// </summary>
internal static class StoredPositions
{
    /// <summary>
    /// Times are kept at millisecond precision in UTC: BSON dates cannot hold more, and SQLite stores Unix milliseconds.
    /// Query bounds are truncated the same way, so a position is found by the very time it was written with.
    /// </summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    /// <summary>
    /// Checks the batch and returns it as it will be stored: times truncated, and only the first position of each
    /// (vehicle, time) pair, as a store keeps only the first one it sees.
    /// </summary>
    /// <exception cref="ArgumentException">A position has no vehicle name or a coordinate, speed or heading that is not a finite number.</exception>
    public static List<VehiclePosition> Prepare(IReadOnlyCollection<VehiclePosition> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);

        // Checked before anything is written, so a bad position fails the whole batch instead of half of it. SQLite turns
        // NaN into NULL, which would fail differently from MongoDB; no real report has such numbers anyway.
        foreach (var position in positions)
        {
            if (position is null || string.IsNullOrWhiteSpace(position.Vehicle))
            {
                throw new ArgumentException("Every position needs a vehicle name.", nameof(positions));
            }

            if (!double.IsFinite(position.Latitude) || !double.IsFinite(position.Longitude)
                || (position.SpeedMph is { } speed && !double.IsFinite(speed)) || (position.Heading is { } heading && !double.IsFinite(heading)))
            {
                throw new ArgumentException($"Position {position} has a number that is not finite.", nameof(positions));
            }
        }

        var seen = new HashSet<(string, long)>(positions.Count);
        var prepared = new List<VehiclePosition>(positions.Count);
        foreach (var position in positions)
        {
            var time = Truncate(position.Time);
            if (seen.Add((position.Vehicle, time.ToUnixTimeMilliseconds())))
            {
                prepared.Add(position with { Time = time });
            }
        }

        return prepared;
    }

    /// <summary>
    /// How both stores append: the batch is prepared (so a bad one fails before the store is touched), then written
    /// as <see cref="WriteAsync{T, TResult}"/> writes any batch.
    /// </summary>
    /// <returns>What <paramref name="write"/> returns: how many positions were new.</returns>
    public static Task<int> AppendAsync(
        IReadOnlyCollection<VehiclePosition> positions,
        Func<CancellationToken, Task> ensureInitialized,
        Func<List<VehiclePosition>, CancellationToken, Task<int>> write,
        CancellationToken cancellationToken)
    {
        var batch = Prepare(positions);
        return WriteAsync(batch, 0, ensureInitialized, token => write(batch, token), cancellationToken);
    }

    /// <summary>
    /// How both stores write a batch (positions, fleet events, event states): an empty one costs nothing, not even the
    /// store's initialization, and returns <paramref name="nothingWritten"/>; otherwise the store is initialized
    /// before <paramref name="write"/> stores it.
    /// </summary>
    public static async Task<TResult> WriteAsync<T, TResult>(
        IReadOnlyCollection<T> batch,
        TResult nothingWritten,
        Func<CancellationToken, Task> ensureInitialized,
        Func<CancellationToken, Task<TResult>> write,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return nothingWritten;
        }

        await ensureInitialized(cancellationToken);
        return await write(cancellationToken);
    }

    /// <inheritdoc cref="WriteAsync{T, TResult}"/>
    public static Task WriteAsync<T>(
        IReadOnlyCollection<T> batch,
        Func<CancellationToken, Task> ensureInitialized,
        Func<CancellationToken, Task> write,
        CancellationToken cancellationToken) =>
        WriteAsync(batch, nothingWritten: false, ensureInitialized, async token =>
        {
            await write(token);
            return true;
        }, cancellationToken);

    /// <summary>
    /// How both stores look things up by vehicle name: no names, no query (and no initialization); otherwise the store
    /// is initialized and <paramref name="read"/> adds what it finds for <paramref name="vehicles"/> to the dictionary,
    /// keyed by name (ordinal). A name with nothing stored is left out.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, T>> ByVehicleAsync<T>(
        IReadOnlyCollection<string> vehicles,
        Func<CancellationToken, Task> ensureInitialized,
        Func<Dictionary<string, T>, Task> read,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vehicles);
        var found = new Dictionary<string, T>(StringComparer.Ordinal);
        if (vehicles.Count == 0)
        {
            return found;
        }

        await ensureInitialized(cancellationToken);
        await read(found);
        return found;
    }

    /// <summary>
    /// The newest position of each vehicle in a prepared batch. Positions already stored are included on purpose: the
    /// latest write is newest-wins and so idempotent, and a retried batch whose positions were stored by a failed
    /// attempt (MongoDB has no transaction here) must still bring the latest position up to date.
    /// </summary>
    public static IEnumerable<VehiclePosition> NewestPerVehicle(IEnumerable<VehiclePosition> prepared) =>
        prepared.GroupBy(position => position.Vehicle, StringComparer.Ordinal)
            .Select(positions => positions.MaxBy(position => position.Time)!);

    /// <summary>Guards the history limit: MongoDB would read 0 as "no limit", SQLite as "nothing".</summary>
    public static void CheckLimit(int limit) => ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
}
