using System.Buffers;
using System.Net.Sockets;
using Fleetman.Messaging.Stomp;

namespace Fleetman.Chaos.Tests.System;

/// <summary>One position report as the store keys it: the vehicle and its time in Unix milliseconds (UTC).</summary>
public readonly record struct ReportKey(string Vehicle, long TimeMs)
{
    public override string ToString() => $"{Vehicle} @ {DateTimeOffset.FromUnixTimeMilliseconds(TimeMs):O}";
}

/// <summary>
/// A loopback TCP relay between the position-simulator and the broker that reads the STOMP frames going by, without
/// changing a byte, to learn WHICH reports the broker confirmed. The simulator counts a report as published when the
/// broker's RECEIPT for it arrives: for a lone SEND, the receipt of that SEND; for a group, the receipt of the COMMIT
/// of the transaction the SENDs belong to (see GroupCommitSender). The tap applies the same rule per connection:
/// <list type="bullet">
/// <item><see cref="Sent"/>: every report the simulator wrote to a broker (any attempt);</item>
/// <item><see cref="Confirmed"/>: every report whose SEND or COMMIT the broker answered with a RECEIPT.</item>
/// </list>
/// Frames are parsed before they are forwarded, so a report is in <see cref="Confirmed"/> before the simulator can
/// have seen its receipt: at any moment the tap's count is at least the simulator's <c>published</c>.
/// When the broker dies the relay closes the simulator's side too, as the broker's own socket would have been closed.
/// </summary>
public sealed class ReceiptTap : IAsyncDisposable
{
    private readonly LoopbackListener _listener;
    private readonly int _brokerPort;
    private readonly ConcurrentDictionary<ReportKey, byte> _sent = new();
    private readonly ConcurrentDictionary<ReportKey, byte> _confirmed = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private int _connections;

    public ReceiptTap(int brokerPort)
    {
        _brokerPort = brokerPort;
        _listener = new LoopbackListener(RelayAsync);
    }

    /// <summary>The port the simulator connects to instead of the broker's STOMP port.</summary>
    public int Port => _listener.Port;

    public ICollection<ReportKey> Sent => _sent.Keys;

    public ICollection<ReportKey> Confirmed => _confirmed.Keys;

    public int ConfirmedCount => _confirmed.Count;

    /// <summary>Connections the broker accepted through the tap (the simulator's first one plus its reconnects).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Frames the tap could not read: a non-empty list means the figures above cannot be trusted.</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    private async Task RelayAsync(TcpClient client, CancellationToken stopping)
    {
        using (var broker = new TcpClient())
        {
            try
            {
                await broker.ConnectAsync(IPAddress.Loopback, _brokerPort, stopping);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return; // broker down: the simulator sees its connection closed and tries again later
            }

            client.NoDelay = broker.NoDelay = true;
            Interlocked.Increment(ref _connections);
            var session = new Session(this);
            using var closing = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var upstream = PumpAsync(client.GetStream(), broker.GetStream(), session.FromClient, closing.Token);
            var downstream = PumpAsync(broker.GetStream(), client.GetStream(), session.FromBroker, closing.Token);
            await Task.WhenAny(upstream, downstream);
            await closing.CancelAsync(); // one side closed: close the other, as a direct connection would be
            client.Close();
            broker.Close();
            await Task.WhenAll(upstream, downstream);
        }
    }

    /// <summary>Copies bytes until either side closes; every complete frame is handed to <paramref name="observe"/> before it is forwarded.</summary>
    private async Task PumpAsync(NetworkStream from, NetworkStream to, Action<StompFrame> observe, CancellationToken token)
    {
        var parser = new StompFrameParser();
        var chunk = new byte[64 * 1024];
        var pending = new byte[64 * 1024];
        var pendingLength = 0;
        var readable = true;
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(chunk, token);
                if (read == 0)
                {
                    return;
                }

                if (readable)
                {
                    if (pendingLength + read > pending.Length)
                    {
                        Array.Resize(ref pending, Math.Max(pending.Length * 2, pendingLength + read));
                    }

                    Buffer.BlockCopy(chunk, 0, pending, pendingLength, read);
                    pendingLength += read;
                    try
                    {
                        var buffer = new ReadOnlySequence<byte>(pending, 0, pendingLength);
                        while (parser.TryParse(ref buffer, out var frame))
                        {
                            observe(frame!);
                        }

                        var rest = (int)buffer.Length;
                        Buffer.BlockCopy(pending, pendingLength - rest, pending, 0, rest);
                        pendingLength = rest;
                    }
                    catch (StompProtocolException e)
                    {
                        _problems.Enqueue(e.Message);
                        readable = false; // keep relaying; the test fails on Problems
                    }
                }

                await to.WriteAsync(chunk.AsMemory(0, read), token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the connection is gone; the relay closes both sides
        }
    }

    private static ReportKey? ReadReport(StompFrame frame)
    {
        try
        {
            using var json = JsonDocument.Parse(frame.Body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("vehicle", out var vehicle) && vehicle.ValueKind == JsonValueKind.String
                && root.TryGetProperty("time", out var time) && time.TryGetDateTimeOffset(out var at))
            {
                // The store keeps Unix milliseconds, truncated.
                return new ReportKey(vehicle.GetString()!, at.ToUnixTimeMilliseconds());
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

    /// <summary>What one connection has sent and not yet had confirmed.</summary>
    private sealed class Session(ReceiptTap tap)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, List<ReportKey>> _transactions = [];
        private readonly Dictionary<string, List<ReportKey>> _awaitingReceipt = [];

        public void FromClient(StompFrame frame)
        {
            var transaction = frame["transaction"];
            lock (_lock)
            {
                switch (frame.Command)
                {
                    case StompCommands.Send when ReadReport(frame) is { } report:
                        tap._sent[report] = 0;
                        if (transaction is not null)
                        {
                            if (_transactions.TryGetValue(transaction, out var reports))
                            {
                                reports.Add(report);
                            }
                            else
                            {
                                tap._problems.Enqueue($"SEND in transaction {transaction} that was never begun");
                            }
                        }
                        else if (frame["receipt"] is { } receipt)
                        {
                            _awaitingReceipt[receipt] = [report];
                        }

                        break;
                    case "BEGIN" when transaction is not null:
                        _transactions[transaction] = [];
                        break;
                    case "COMMIT" when transaction is not null:
                        if (_transactions.Remove(transaction, out var committed) && frame["receipt"] is { } commitReceipt)
                        {
                            _awaitingReceipt[commitReceipt] = committed;
                        }

                        break;
                    case "ABORT" when transaction is not null:
                        _transactions.Remove(transaction);
                        break;
                }
            }
        }

        public void FromBroker(StompFrame frame)
        {
            if (frame["receipt-id"] is not { } id)
            {
                return;
            }

            lock (_lock)
            {
                if (_awaitingReceipt.Remove(id, out var reports) && frame.Command == StompCommands.Receipt)
                {
                    foreach (var report in reports)
                    {
                        tap._confirmed[report] = 0;
                    }
                }
            }
        }
    }
}
