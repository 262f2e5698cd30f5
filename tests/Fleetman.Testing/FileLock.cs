namespace Fleetman.Testing;

/// <summary>
/// An exclusive lock every test process of a run sees: a file opened with <see cref="FileShare.None"/> (.NET takes an
/// advisory lock on it), released when disposed or when the process ends, so a crashed test process leaves none behind.
/// </summary>
public static class FileLock
{
    /// <summary>The lock on <paramref name="path"/>, or null when another process holds it.</summary>
    public static FileStream? TryTake(string path)
    {
        try
        {
            return Take(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The lock on <paramref name="path"/>, waited for while another process holds it (at most <paramref name="within"/>).</summary>
    public static async Task<FileStream> TakeAsync(string path, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                return Take(path);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private static FileStream Take(string path) => new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
}
