namespace Fleetman.Testing;

/// <summary>
/// A dependency that hangs: a loopback port that accepts every connection and never answers a byte (a Redis or broker
/// whose process is stuck, or a proxy in front of one that is gone), until disposed. A refused connection fails at
/// once; this one makes a client wait for its own timeouts.
/// </summary>
public sealed class SilentServer : IAsyncDisposable
{
    private readonly LoopbackListener _listener = new(static async (_, stop) =>
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
            // disposed: the connection is closed
        }
    });

    public int Port => _listener.Port;

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
