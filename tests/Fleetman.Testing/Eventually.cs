namespace Fleetman.Testing;

public static class Eventually
{
    /// <summary>Polls until the condition holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task Until(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not reached within {timeout.TotalSeconds:F0} s: {what()}");
            }

            await Task.Delay(25);
        }
    }

    public static string UniqueQueue(string purpose) => $"test.{purpose}.{Guid.NewGuid():N}";
}
