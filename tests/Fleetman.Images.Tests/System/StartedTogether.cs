namespace Fleetman.Images.Tests.System;

/// <summary>
/// What the cases of one theory each start (a container, a one-off <c>docker run</c>), started for all its cases by
/// the first one instead of by each case in turn: most of a container's first seconds are its program starting and
/// Docker creating it, and several do that side by side in about the time of one. At most <see cref="AtOnce"/> at a
/// time, though: ten .NET programs starting at once on two cores made one miss its time to be healthy (45 s then,
/// <see cref="Images.StartWithin"/> now). Each case then checks its own, as before. A class fixture: whatever a case
/// did not take (a filter ran only some of them) is removed with the class.
/// </summary>
public sealed class StartedTogether : IAsyncLifetime, IDisposable
{
    /// <summary>How many starts run side by side (each until its start function returns: for a service, until healthy).</summary>
    public const int AtOnce = 3;

    private readonly Lock _gate = new();

    private readonly SemaphoreSlim _slots = new(AtOnce);

    private readonly Dictionary<(string Theory, string Item), Task<object>> _started = [];

    /// <summary>
    /// The one started for <paramref name="item"/> (an image) of a theory's cases, named by <paramref name="theory"/>;
    /// the first call for that theory starts one for each of its <paramref name="items"/>, <see cref="AtOnce"/> at a
    /// time.
    /// </summary>
    internal async Task<T> For<T>(string theory, string item, IEnumerable<string> items, Func<string, Task<T>> start)
        where T : class
    {
        Task<object> started;
        lock (_gate)
        {
            if (!_started.ContainsKey((theory, item)))
            {
                foreach (var each in items)
                {
                    _started.TryAdd((theory, each), Task.Run(async () =>
                    {
                        await _slots.WaitAsync();
                        try
                        {
                            return (object)await start(each);
                        }
                        finally
                        {
                            _slots.Release();
                        }
                    }));
                }
            }

            started = _started[(theory, item)];
        }

        return (T)await started;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var started in _started.Values)
        {
            try
            {
                // A case that took its container removed it already; removing it again does nothing.
                if (await started is IAsyncDisposable container)
                {
                    await container.DisposeAsync();
                }
            }
            catch (Exception)
            {
                // It could not be started (an assertion, docker's own failure, a timeout): the case that took it failed
                // with the reason, and only that case; the others' containers are still removed.
            }
        }
    }

    public void Dispose() => _slots.Dispose();
}
