using System.Diagnostics;

namespace Fleetman.PositionStore.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="describe"/>'s state after <paramref name="patience"/>.</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan patience, Func<Task<string>> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > patience)
            {
                throw new TimeoutException($"Still not true after {patience.TotalSeconds:0} s: {await describe()}");
            }

            await Task.Delay(50);
        }
    }
}
