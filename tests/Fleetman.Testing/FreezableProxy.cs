using System.Net;
using System.Net.Sockets;

namespace Fleetman.Testing;

/// <summary>
/// A TCP proxy in front of a real server whose answers can be held back: frozen, the server looks to its clients as a
/// hung or overloaded one does (connected, requests sent, no reply), which stopping or killing it cannot show.
/// </summary>
public sealed class FreezableProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _host;
    private readonly int _port;
    private readonly List<TcpClient> _sockets = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;
    private TaskCompletionSource _thawed = Thawed();

    public FreezableProxy(string host, int port)
    {
        _host = host;
        _port = port;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The loopback port clients connect to instead of the server's.</summary>
    public int Port { get; }

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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Thaw();
        lock (_sockets)
        {
            _sockets.ForEach(socket => socket.Dispose());
        }

        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private static TaskCompletionSource Thawed()
    {
        var thawed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        thawed.SetResult();
        return thawed;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var server = new TcpClient();
            await server.ConnectAsync(_host, _port, _stop.Token);
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            _ = PumpAsync(client.GetStream(), server.GetStream(), hold: false);
            _ = PumpAsync(server.GetStream(), client.GetStream(), hold: true);
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool hold)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
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

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // One side closed, or the proxy is disposed: the pump ends with it.
        }
    }
}
