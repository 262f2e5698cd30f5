namespace Fleetman.LoadGenerator;

internal static class Pause
{
    /// <summary>Waits, or returns early (without throwing) when the user leaves.</summary>
    public static async Task DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
            // the user leaves
        }
    }
}
