using System.Net.Sockets;

namespace Fleetman.Testing;

/// <summary>
/// A TCP proxy in front of a real server whose answers can be held back: frozen, the server looks to its clients as a
/// hung or overloaded one does (connected, requests sent, no reply), which stopping or killing it cannot show. Its
/// connections can also be reset at once, mid-request, as a server that drops its clients (a restart, a network blip)
/// does, while the server itself stays up for their reconnection.
/// </summary>
public sealed class FreezableProxy : IAsyncDisposable
{
    private readonly LoopbackListener _listener;
    private readonly string _host;
    private readonly int _port;
    private readonly List<TcpClient> _sockets = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _thawed = Thawed();

    public FreezableProxy(string host, int port)
    {
        _host = host;
        _port = port;
        _listener = new LoopbackListener(ProxyAsync);
    }

    /// <summary>The loopback port clients connect to instead of the server's.</summary>
    public int Port => _listener.Port;

    /// <summary>From now on nothing the server sends reaches a client, until <see cref="Thaw"/>.</summary>
    public void Freeze()
    {
        lock (_gate)
        {
            if (_thawed.Task.IsCompleted)
            {
                _thawed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>The server's answers flow again, those held back first.</summary>
    public void Thaw()
    {
        lock (_gate)
        {
            _thawed.TrySetResult();
        }
    }

    /// <summary>Closes every connection open now with a TCP reset; new connections are proxied as before.</summary>
    public void Reset()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                try
                {
                    socket.Client.LingerState = new LingerOption(true, 0); // close with RST, not an orderly FIN
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // closed already
                }

                socket.Dispose();
            }

            _sockets.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Thaw();
        lock (_sockets)
        {
            _sockets.ForEach(socket => socket.Dispose());
        }

        await _listener.DisposeAsync();
    }

    private static TaskCompletionSource Thawed()
    {
        var thawed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        thawed.SetResult();
        return thawed;
    }

    private async Task ProxyAsync(TcpClient client, CancellationToken stopping)
    {
        var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_host, _port, stopping);
            NetworkStream fromClient, fromServer;
            lock (_sockets)
            {
                // The streams are taken under the lock that Reset takes, so a reset cannot close a socket in between.
                fromClient = client.GetStream();
                fromServer = server.GetStream();
                _sockets.Add(client);
                _sockets.Add(server);
            }

            // When either direction ends, both sockets close: a half-open pair would leave its client waiting for a
            // reply that cannot come.
            await Task.WhenAny(PumpAsync(fromClient, fromServer, hold: false, stopping), PumpAsync(fromServer, fromClient, hold: true, stopping));
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // Reset or closed while it was being set up, or the proxy is disposed.
        }
        finally
        {
            lock (_sockets)
            {
                _sockets.Remove(client);
                _sockets.Remove(server);
            }

            client.Dispose();
            server.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool hold, CancellationToken stopping)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, stopping)) > 0)
            {
                if (hold)
                {
                    Task thawed;
                    lock (_gate)
                    {
                        thawed = _thawed.Task;
                    }

                    await thawed;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), stopping);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // One side closed, or the proxy is disposed: the pump ends with it.
        }
    }
}
