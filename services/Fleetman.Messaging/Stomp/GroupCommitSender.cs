using System.Threading.Channels;

namespace Fleetman.Messaging.Stomp;

/// <summary>
/// Confirms persistent sends in groups. Every send is queued; one loop takes whatever has queued up (up to
/// <see cref="BrokerOptions.MaxSendBatch"/>) and writes it as BEGIN, SEND…, COMMIT-with-receipt, without waiting for
/// earlier commits (pipelining). The broker stores a transaction with one journal sync, so throughput is not bound by
/// one disk sync or one round-trip per message, while every confirmed message is still durably stored.
/// A lone send skips the transaction. A batch whose connection dies before its receipt is queued again, whole.
/// </summary>
internal sealed class GroupCommitSender : IAsyncDisposable
{
    private readonly BrokerClient _client;
    private readonly BrokerOptions _options;
    private readonly CancellationToken _stopping;
    private readonly Channel<PendingSend> _queue = Channel.CreateUnbounded<PendingSend>(new() { SingleReader = true });
    private readonly SemaphoreSlim _capacity;
    private readonly Task _loop;
    private long _transactionCounter;

    public GroupCommitSender(BrokerClient client, BrokerOptions options, CancellationToken stopping)
    {
        _client = client;
        _options = options;
        _stopping = stopping;
        _capacity = new SemaphoreSlim(options.MaxPendingSends);
        _loop = Task.Run(SendLoopAsync, CancellationToken.None);
    }

    public async Task SendAsync(Destination destination, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping);
        deadline.CancelAfter(TimeSpan.FromSeconds(_options.SendTimeoutSeconds));
        var send = new PendingSend(destination, [.. headers], body, deadline.Token);
        try
        {
            await _capacity.WaitAsync(deadline.Token);
            try
            {
                _queue.Writer.TryWrite(send);
                await send.Confirmed.Task.WaitAsync(deadline.Token);
            }
            finally
            {
                _capacity.Release();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MessagingUnavailableException(
                $"The broker at {_options} did not confirm a send to {destination} within {_options.SendTimeoutSeconds} s ({_client.LastError ?? send.LastFailure ?? "no connection"}).");
        }
    }

    private async Task SendLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingSend>(_options.MaxSendBatch);
        try
        {
            while (await reader.WaitToReadAsync(_stopping))
            {
                var connection = await _client.ConnectionAsync(_stopping);
                batch.Clear();
                while (batch.Count < _options.MaxSendBatch && reader.TryRead(out var send))
                {
                    if (!send.Abandoned)
                    {
                        batch.Add(send);
                    }
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                Task<StompFrame> confirmation;
                try
                {
                    confirmation = Write(connection, batch);
                }
                catch (ConnectionLostException ex)
                {
                    Requeue([.. batch], ex.Message);
                    await _client.WaitForReplacementAsync(connection, _stopping);
                    continue;
                }

                _ = CompleteWhenConfirmedAsync([.. batch], confirmation);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // the client is being disposed; pending sends time out with a clear message
        }
    }

    private Task<StompFrame> Write(StompConnection connection, List<PendingSend> batch)
    {
        if (batch.Count == 1)
        {
            return connection.SendWithReceiptAsync(StompCommands.Send, batch[0].Frame(transaction: null), batch[0].Body);
        }

        var transaction = "tx-" + Interlocked.Increment(ref _transactionCounter).ToString(CultureInfo.InvariantCulture);
        connection.Send(new StompFrame("BEGIN", [new("transaction", transaction)]));
        foreach (var send in batch)
        {
            connection.Send(new StompFrame(StompCommands.Send, send.Frame(transaction), send.Body));
        }

        return connection.SendWithReceiptAsync("COMMIT", [new("transaction", transaction)]);
    }

    private async Task CompleteWhenConfirmedAsync(PendingSend[] batch, Task<StompFrame> confirmation)
    {
        try
        {
            await confirmation;
            foreach (var send in batch)
            {
                send.Confirmed.TrySetResult();
            }
        }
        catch (ConnectionLostException ex)
        {
            // The broker drops an uncommitted transaction with its connection: nothing of it was stored, send it all again.
            Requeue(batch, ex.Message);
        }
        catch (Exception ex)
        {
            // An ERROR answering the receipt: the broker refused the frames. Callers see the transport-neutral exception.
            var refused = new MessagingUnavailableException($"The broker at {_options} refused a send: {ex.Message}", ex);
            foreach (var send in batch)
            {
                send.Confirmed.TrySetException(refused);
            }
        }
    }

    private void Requeue(PendingSend[] batch, string reason)
    {
        foreach (var send in batch)
        {
            send.LastFailure = reason;
            if (!send.Abandoned)
            {
                _queue.Writer.TryWrite(send);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class PendingSend(Destination destination, List<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body, CancellationToken deadline)
    {
        public TaskCompletionSource Confirmed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ReadOnlyMemory<byte> Body => body;

        public string? LastFailure { get; set; }

        /// <summary>Its caller stopped waiting (timeout or cancellation): do not send it any more.</summary>
        public bool Abandoned => deadline.IsCancellationRequested || Confirmed.Task.IsCompleted;

        public List<KeyValuePair<string, string>> Frame(string? transaction)
        {
            var frame = new List<KeyValuePair<string, string>>(headers.Count + 3) { new("destination", destination.Path) };
            frame.AddRange(headers);
            if (transaction is not null)
            {
                frame.Add(new("transaction", transaction));
            }

            return frame;
        }
    }
}
