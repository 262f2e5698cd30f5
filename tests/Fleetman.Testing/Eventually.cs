namespace Fleetman.Testing;

/// <summary>Waiting for a condition instead of sleeping: the one polling helper of the test projects.</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// How long a test waits by default for what should happen within a second or two (a message handled, a gauge
    /// moved): long enough for a loaded machine. A test that waits for something slower says its own timeout.
    /// </summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Polls until the condition holds; fails with <paramref name="what"/> after <see cref="Patience"/>.</summary>
    public static Task Until(Func<bool> condition, Func<string> what) => Until(condition, Patience, what);

    /// <summary>Polls until the condition holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task Until(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        await Until(() => Task.FromResult(condition()), timeout, () => Task.FromResult(what()));
    }

    /// <summary>Polls an asynchronous condition until it holds; fails with what <paramref name="what"/> says after the timeout.</summary>
    public static Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> what) =>
        Until(condition, timeout, what, stopped: () => Task.FromResult<string?>(null), Interval);

    /// <summary>
    /// Polls an asynchronous condition every <paramref name="every"/> until it holds; fails with what
    /// <paramref name="what"/> says after the timeout, or as soon as <paramref name="stopped"/> says why it never will
    /// (what it waits on has ended: a process or a container that exited), instead of waiting out the timeout. A
    /// condition that is itself a process (a command run in a container) wants a longer interval than the default's,
    /// which is for in-process checks.
    /// </summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> what, Func<Task<string?>> stopped, TimeSpan every)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(what);
        ArgumentNullException.ThrowIfNull(stopped);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (await stopped() is { } why)
            {
                throw new InvalidOperationException($"Never to be reached ({why}): {await what()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not reached within {timeout.TotalSeconds:F0} s: {await what()}");
            }

            await Task.Delay(every);
        }
    }

    public static string UniqueQueue(string purpose) => $"test.{purpose}.{Guid.NewGuid():N}";
}
