using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Fleetman.Testing;

/// <summary>
/// A loopback port of its own that hands every connection made to it to a handler, each connection on its own, until
/// disposed; disposing stops accepting, cancels the handlers' token and waits for them. The relays that tests put
/// between a client and a real server (<see cref="FreezableProxy"/>, the chaos tests' receipt tap) are built on it.
/// </summary>
public sealed class LoopbackListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<TcpClient, CancellationToken, Task> _serve;
    private readonly ConcurrentDictionary<Task, byte> _serving = new();
    private readonly Task _accepting;

    /// <param name="serve">Serves one accepted connection until it ends or the token is cancelled; the connection is disposed after it.</param>
    public LoopbackListener(Func<TcpClient, CancellationToken, Task> serve)
    {
        _serve = serve;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The loopback port clients connect to.</summary>
    public int Port { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(_serving.Keys);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue; // a connection aborted before it was accepted: accept the next
            }

            // Each connection on its own: one that fails (reset while being set up, the server refusing) must never
            // stop the loop, or every later client would connect into the backlog and wait for ever.
            var serving = ServeAsync(client);
            _serving[serving] = 0;
            _ = serving.ContinueWith(done => _serving.TryRemove(done, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            await _serve(client, _stop.Token);
        }
    }
}
