using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Fleetman.Messaging.Stomp;

/// <summary>
/// One STOMP 1.2 connection over TCP. A single writer loop drains a queue of frames into the socket and flushes
/// only when the queue is empty, so many pipelined sends share one syscall; it also sends heart-beats when idle.
/// A reader loop parses frames, completes receipts and hands MESSAGE frames to the owner.
/// The connection never reconnects by itself: when it dies, <see cref="Completion"/> ends and the owner decides.
/// </summary>
internal sealed partial class StompConnection : IAsyncDisposable
{
    private static readonly byte[] HeartbeatEol = [(byte)'\n'];

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Channel<StompFrame> _outgoing = Channel.CreateUnbounded<StompFrame>(new() { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StompFrame>> _receipts = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<StompConnection, StompFrame> _onMessage;
    private readonly ILogger _logger;
    private long _receiptCounter;
    private long _lastReadTicks = Environment.TickCount64;
    private TimeSpan _sendHeartbeat;
    private TimeSpan _receiveHeartbeat;

    private StompConnection(Socket socket, Action<StompConnection, StompFrame> onMessage, ILogger logger)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _onMessage = onMessage;
        _logger = logger;
    }

    /// <summary>Ends when the connection is closed or lost; faulted with the reason when lost.</summary>
    public Task Completion => _completion.Task;

    public bool IsOpen => !_completion.Task.IsCompleted;

    /// <summary>The server name and version from CONNECTED, for logs.</summary>
    public string Server { get; private set; } = "";

    public static async Task<StompConnection> ConnectAsync(
        BrokerOptions options, Action<StompConnection, StompFrame> onMessage, ILogger logger, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.ConnectTimeoutSeconds));
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        StompConnection? connection = null;
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, timeout.Token);
            connection = new StompConnection(socket, onMessage, logger);
            await connection.HandshakeAsync(options, timeout.Token);
            return connection;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeQuietly(connection, socket);
            throw new MessagingUnavailableException($"No STOMP connection to {options} within {options.ConnectTimeoutSeconds} s");
        }
        catch
        {
            await DisposeQuietly(connection, socket);
            throw;
        }
    }

    private static async Task DisposeQuietly(StompConnection? connection, Socket socket)
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
        else
        {
            socket.Dispose();
        }
    }

    private async Task HandshakeAsync(BrokerOptions options, CancellationToken cancellationToken)
    {
        var heartbeat = options.HeartbeatMilliseconds.ToString(CultureInfo.InvariantCulture);
        var headers = new List<KeyValuePair<string, string>>
        {
            new("accept-version", "1.2"),
            new("host", options.Host),
            new("heart-beat", $"{heartbeat},{heartbeat}"),
        };
        if (!string.IsNullOrEmpty(options.Username))
        {
            headers.Add(new("login", options.Username));
            headers.Add(new("passcode", options.Password ?? ""));
        }

        await _stream.WriteAsync(StompFrameWriter.ToBytes(new StompFrame(StompCommands.Connect, headers)), cancellationToken);

        var reader = PipeReader.Create(_stream);
        var parser = new StompFrameParser();
        StompFrame? answer = null;
        while (answer is null)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (parser.TryParse(ref buffer, out var frame))
            {
                answer = frame;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (answer is null && result.IsCompleted)
            {
                throw new MessagingUnavailableException($"The broker at {options} closed the connection during the STOMP handshake");
            }
        }

        if (answer.Command == StompCommands.Error)
        {
            throw new MessagingUnavailableException($"The broker at {options} refused the connection: {answer["message"]} {answer.BodyText}".TrimEnd());
        }

        if (answer.Command != StompCommands.Connected)
        {
            throw new StompProtocolException($"Expected CONNECTED from {options}, got {answer.Command}");
        }

        if (answer["version"] != "1.2")
        {
            throw new StompProtocolException($"The broker at {options} speaks STOMP {answer["version"] ?? "1.0"}; this client needs 1.2");
        }

        Server = answer["server"] ?? "unknown";
        (_sendHeartbeat, _receiveHeartbeat) = NegotiateHeartbeats(options.HeartbeatMilliseconds, answer["heart-beat"]);
        _ = RunAsync(reader);
    }

    /// <summary>STOMP 1.2 heart-beat negotiation: each side uses the larger of what one offers and the other wants.</summary>
    internal static (TimeSpan Send, TimeSpan Receive) NegotiateHeartbeats(int clientMilliseconds, string? serverHeader)
    {
        var parts = (serverHeader ?? "0,0").Split(',');
        var serverSends = parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var sx) ? sx : 0;
        var serverWants = parts.Length == 2 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var sy) ? sy : 0;
        var send = clientMilliseconds == 0 || serverWants == 0 ? 0 : Math.Max(clientMilliseconds, serverWants);
        var receive = clientMilliseconds == 0 || serverSends == 0 ? 0 : Math.Max(clientMilliseconds, serverSends);
        return (TimeSpan.FromMilliseconds(send), TimeSpan.FromMilliseconds(receive));
    }

    private async Task RunAsync(PipeReader reader)
    {
        Exception? failure = null;
        try
        {
            var loops = new List<Task> { ReadLoopAsync(reader), WriteLoopAsync() };
            if (_receiveHeartbeat > TimeSpan.Zero)
            {
                loops.Add(WatchdogAsync());
            }

            var first = await Task.WhenAny(loops);
            await first; // surfaces the reason the connection ended
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_closing.IsCancellationRequested)
        {
            failure = ex;
        }
        catch (OperationCanceledException)
        {
            // closed on purpose
        }
        finally
        {
            await _closing.CancelAsync();
            _outgoing.Writer.TryComplete();
            _socket.Close();
            await reader.CompleteAsync();
            var lost = new ConnectionLostException("The broker connection closed before the broker answered", failure);
            foreach (var pending in _receipts.Values)
            {
                pending.TrySetException(lost);
            }

            _receipts.Clear();
            if (failure is null)
            {
                _completion.TrySetResult();
            }
            else
            {
                _completion.TrySetException(failure);
            }
        }
    }

    private async Task ReadLoopAsync(PipeReader reader)
    {
        var parser = new StompFrameParser();
        var token = _closing.Token;
        while (true)
        {
            var result = await reader.ReadAsync(token);
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                Volatile.Write(ref _lastReadTicks, Environment.TickCount64);
            }

            while (parser.TryParse(ref buffer, out var frame))
            {
                Dispatch(frame!);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new ConnectionLostException("The broker closed the connection");
            }
        }
    }

    private void Dispatch(StompFrame frame)
    {
        switch (frame.Command)
        {
            case StompCommands.Message:
                _onMessage(this, frame);
                break;
            case StompCommands.Receipt when frame["receipt-id"] is { } id && _receipts.TryRemove(id, out var pending):
                pending.TrySetResult(frame);
                break;
            case StompCommands.Error when frame["receipt-id"] is { } id && _receipts.TryRemove(id, out var failed):
                failed.TrySetException(new StompProtocolException($"The broker refused a frame: {frame["message"]} {frame.BodyText}".TrimEnd()));
                break;
            case StompCommands.Error:
                // An ERROR that answers no receipt ends the session, as STOMP specifies.
                throw new StompProtocolException($"The broker sent ERROR: {frame["message"]} {frame.BodyText}".TrimEnd());
            default:
                LogUnexpectedFrame(_logger, frame.Command);
                break;
        }
    }

    private async Task WriteLoopAsync()
    {
        var output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        var token = _closing.Token;
        var reader = _outgoing.Reader;
        while (true)
        {
            if (!reader.TryPeek(out _))
            {
                var hasFrames = _sendHeartbeat > TimeSpan.Zero
                    ? await WaitForFramesOrHeartbeatAsync(reader, token)
                    : await reader.WaitToReadAsync(token);
                if (!hasFrames)
                {
                    if (reader.Completion.IsCompleted)
                    {
                        return;
                    }

                    output.Write(HeartbeatEol);
                }
            }

            // Drain whatever is queued, then flush once: pipelined sends share one write.
            while (reader.TryRead(out var frame))
            {
                StompFrameWriter.Write(frame, output);
                if (output.UnflushedBytes > 256 * 1024)
                {
                    await output.FlushAsync(token);
                }
            }

            await output.FlushAsync(token);
        }
    }

    private async Task<bool> WaitForFramesOrHeartbeatAsync(ChannelReader<StompFrame> reader, CancellationToken token)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(token);
        idle.CancelAfter(_sendHeartbeat);
        try
        {
            return await reader.WaitToReadAsync(idle.Token);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return false; // idle for a whole interval: time for a heart-beat
        }
    }

    private async Task WatchdogAsync()
    {
        // ActiveMQ may send its heart-beats a little late; allow two intervals before calling the connection dead.
        var allowed = _receiveHeartbeat * 2;
        using var timer = new PeriodicTimer(_receiveHeartbeat / 2);
        while (await timer.WaitForNextTickAsync(_closing.Token))
        {
            var silent = TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastReadTicks));
            if (silent > allowed)
            {
                throw new ConnectionLostException($"No data or heart-beat from the broker for {silent.TotalSeconds:F1} s; the connection is dead");
            }
        }
    }

    /// <summary>Queues a frame for the writer loop. Fails when the connection is gone.</summary>
    public void Send(StompFrame frame)
    {
        if (!_outgoing.Writer.TryWrite(frame))
        {
            throw new ConnectionLostException("The broker connection is closed");
        }
    }

    /// <summary>Queues a frame with a receipt header and completes when the broker's RECEIPT arrives.</summary>
    public Task<StompFrame> SendWithReceiptAsync(string command, List<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body = default)
    {
        var id = "r-" + Interlocked.Increment(ref _receiptCounter).ToString(CultureInfo.InvariantCulture);
        var pending = new TaskCompletionSource<StompFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _receipts[id] = pending;
        headers.Add(new("receipt", id));
        if (!_outgoing.Writer.TryWrite(new StompFrame(command, headers, body)))
        {
            _receipts.TryRemove(id, out _);
            pending.TrySetException(new ConnectionLostException("The broker connection is closed"));
        }
        else if (!IsOpen && _receipts.TryRemove(id, out _))
        {
            // The connection died between the check and the registration: nobody else will fail this receipt.
            pending.TrySetException(new ConnectionLostException("The broker connection is closed"));
        }

        return pending.Task;
    }

    /// <summary>Says goodbye politely: DISCONNECT with a receipt guarantees the broker processed every earlier frame (acks included).</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        if (IsOpen)
        {
            try
            {
                await SendWithReceiptAsync(StompCommands.Disconnect, []).WaitAsync(timeout);
            }
            catch (Exception ex) when (ex is TimeoutException or ConnectionLostException or StompProtocolException)
            {
                LogCloseIncomplete(_logger, ex.Message);
            }
        }

        await _closing.CancelAsync();
        try
        {
            await _completion.Task.WaitAsync(timeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // it ended either way
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        _outgoing.Writer.TryComplete();
        _socket.Dispose();
        await _stream.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignoring unexpected STOMP {Command} frame from the broker")]
    private static partial void LogUnexpectedFrame(ILogger logger, string command);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Broker connection closed without a DISCONNECT receipt: {Reason}")]
    private static partial void LogCloseIncomplete(ILogger logger, string reason);
}
