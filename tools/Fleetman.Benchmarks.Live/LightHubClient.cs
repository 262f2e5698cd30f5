using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Fleetman.Benchmarks.Live;

/// <summary>
/// A SignalR client of the hub's JSON protocol as light as the protocol allows, so that 500 of them leave the CPU to
/// the services they measure: a WebSocket straight away (no negotiate, as the gateway README allows), the handshake,
/// a ping every 10 s so the server keeps the connection, and every hub message (a record ending in 0x1E) handed to
/// <c>onMessage</c> with the moment its last byte arrived. The full .NET client parses every message into objects and
/// queues its handlers before the receipt can be stamped; a browser gets its own CPU for that.
/// </summary>
internal sealed class LightHubClient : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1E;
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _stopPinging = new();
    private Task _receiving = Task.CompletedTask;
    private Task _pinging = Task.CompletedTask;

    /// <summary>A hub message (without its separator) and the <see cref="DateTime.UtcNow"/> ticks when it was complete.</summary>
    public delegate void MessageHandler(ReadOnlySpan<byte> message, long receivedTicks);

    public static async Task<LightHubClient> ConnectAsync(Uri hub, MessageHandler onMessage, Action onLost)
    {
        var client = new LightHubClient();
        try
        {
            var ws = new UriBuilder(hub) { Scheme = hub.Scheme == "https" ? "wss" : "ws" }.Uri;
            await client._socket.ConnectAsync(ws, CancellationToken.None);
            await client.SendAsync(Handshake);
            // The first record is the handshake answer: {} or {"error":"..."}.
            var buffer = new ArrayBufferWriter<byte>(4096);
            var answer = await client.ReadRecordAsync(buffer);
            if (answer.Contains("error", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the hub refused the handshake: {answer}");
            }

            client._receiving = client.ReceiveAsync(buffer, onMessage, onLost);
            client._pinging = client.PingAsync();
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private async Task<string> ReadRecordAsync(ArrayBufferWriter<byte> buffer)
    {
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer.GetMemory(4096), _stop.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException("the hub closed the connection during the handshake");
            }

            buffer.Advance(result.Count);
            var end = buffer.WrittenSpan.IndexOf(RecordSeparator);
            if (end >= 0)
            {
                var answer = Encoding.UTF8.GetString(buffer.WrittenSpan[..end]);
                var rest = buffer.WrittenSpan[(end + 1)..].ToArray();
                buffer.Clear();
                buffer.Write(rest);
                return answer;
            }
        }
    }

    private async Task ReceiveAsync(ArrayBufferWriter<byte> buffer, MessageHandler onMessage, Action onLost)
    {
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.GetMemory(16 * 1024), _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                buffer.Advance(result.Count);
                var received = DateTime.UtcNow.Ticks;
                var written = buffer.WrittenSpan;
                var consumed = 0;
                int end;
                while ((end = written[consumed..].IndexOf(RecordSeparator)) >= 0)
                {
                    onMessage(written.Slice(consumed, end), received);
                    consumed += end + 1;
                }

                if (consumed > 0)
                {
                    var rest = written[consumed..].ToArray();
                    buffer.ResetWrittenCount();
                    buffer.Write(rest);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is WebSocketException or JsonException)
        {
            // lost, or a message the client cannot read: reported as lost below
        }

        if (!_stop.IsCancellationRequested)
        {
            onLost();
        }
    }

    private async Task PingAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
            while (await timer.WaitForNextTickAsync(_stopPinging.Token))
            {
                await SendAsync(Ping);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // stopped, or the connection is gone (the receive loop reports that)
        }
    }

    // One send at a time, as a WebSocket allows: the handshake, then the ping loop, then (once it stopped) the close.
    private Task SendAsync(byte[] bytes) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stopPinging.CancelAsync();
        await _pinging;
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
                // the server went first
            }
        }

        await _stop.CancelAsync();
        await _receiving;
        _socket.Dispose();
        _stop.Dispose();
        _stopPinging.Dispose();
    }
}
