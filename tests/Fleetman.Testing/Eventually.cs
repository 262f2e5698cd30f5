namespace Fleetman.Testing;

/// <summary>Waiting for a condition instead of sleeping: the one polling helper of the test projects.</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    /// <summary>Polls until the condition holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task Until(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        await Until(() => Task.FromResult(condition()), timeout, () => Task.FromResult(what()));
    }

    /// <summary>Polls an asynchronous condition until it holds; fails with what <paramref name="what"/> says after the timeout.</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(what);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not reached within {timeout.TotalSeconds:F0} s: {await what()}");
            }

            await Task.Delay(Interval);
        }
    }

    public static string UniqueQueue(string purpose) => $"test.{purpose}.{Guid.NewGuid():N}";
}
