using System.Threading.Channels;

namespace Fleetman.Messaging;

/// <summary>Factory for consumers whose handler takes one message at a time.</summary>
internal static class MessageConsumer
{
    /// <summary>A consumer that runs <paramref name="handler"/> per message; a <see cref="PoisonMessageException"/> dead-letters at once.</summary>
    public static MessageConsumer<TMessage> ForSingleMessages<TMessage>(
        IMessageTransport transport, Destination destination, ConsumerOptions options, Func<MessageContext<TMessage>, CancellationToken, Task> handler, ILogger logger) =>
        new MessageConsumer<TMessage>(transport, destination, options, 1, async (batch, token) =>
        {
            try
            {
                await handler(batch[0], token);
            }
            catch (PoisonMessageException ex)
            {
                batch[0].Reject(ex.Message);
            }
        }, logger);
}

/// <summary>
/// Takes messages from one destination and runs a batch handler on them with at-least-once semantics:
/// a message is acked only after its handler succeeded; a failing handler is retried with backoff and the message
/// finally NACKed (on ActiveMQ: dead-lettered); a body that cannot be deserialised is NACKed at once.
/// Single-message handlers run as batches of one.
/// </summary>
internal sealed partial class MessageConsumer<TMessage> : IAsyncDisposable
{
    internal delegate Task BatchHandler(IReadOnlyList<MessageContext<TMessage>> batch, CancellationToken cancellationToken);

    private readonly IMessageTransport _transport;
    private readonly Destination _destination;
    private readonly ConsumerOptions _options;
    private readonly BatchHandler _handler;
    private readonly int _batchSize;
    private readonly ILogger _logger;
    private readonly KeyValuePair<string, object?> _destinationTag;
    private readonly Channel<TransportMessage> _received = Channel.CreateUnbounded<TransportMessage>();
    private readonly CancellationTokenSource _stopTaking = new();
    private readonly CancellationTokenSource _abortHandlers = new();
    private IDisposable? _subscription;
    private Task[] _workers = [];

    /// <param name="batchSize">Messages per handler call; 1 for single-message handlers.</param>
    public MessageConsumer(IMessageTransport transport, Destination destination, ConsumerOptions options, int batchSize, BatchHandler handler, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _transport = transport;
        _destination = destination;
        _options = options;
        _batchSize = batchSize;
        _handler = handler;
        _logger = logger;
        _destinationTag = MessagingTelemetry.DestinationTag(destination);
    }

    public Destination Destination => _destination;

    public void Start()
    {
        if (_subscription is not null)
        {
            throw new InvalidOperationException($"The consumer of {_destination} is already started.");
        }

        _workers = [.. Enumerable.Range(0, _options.Concurrency).Select(_ => Task.Run(WorkAsync))];
        _subscription = _transport.Subscribe(_destination, _options.Prefetch, message => _received.Writer.TryWrite(message));
        LogStarted(_logger, _destination.Path, _options.Concurrency, _batchSize, _options.Prefetch);
    }

    /// <summary>
    /// Graceful stop: take no new messages, let running handlers finish and settle their messages, then unsubscribe so
    /// the broker hands every message still buffered here to other consumers. If <paramref name="cancellationToken"/>
    /// fires first, running handlers are cancelled and their messages left unacked (redelivered later).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopTaking.CancelAsync();
        using (cancellationToken.Register(_abortHandlers.Cancel))
        {
            await Task.WhenAll(_workers);
        }

        _subscription?.Dispose();
        _received.Writer.TryComplete();
        var released = 0;
        while (_received.Reader.TryRead(out _))
        {
            released++;
        }

        MessagingTelemetry.InFlight.Add(-released, _destinationTag);
        LogStopped(_logger, _destination.Path, released);
    }

    private async Task WorkAsync()
    {
        var reader = _received.Reader;
        while (true)
        {
            TransportMessage first;
            try
            {
                first = await reader.ReadAsync(_stopTaking.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
            {
                return;
            }

            var batch = new List<TransportMessage>(_batchSize) { first };
            if (_batchSize > 1)
            {
                await FillBatchAsync(reader, batch);
            }

            try
            {
                await ProcessAsync(batch);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // ProcessAsync settles every failure itself; anything escaping is a bug that must not kill the worker.
                LogUnexpected(_logger, ex, _destination.Path);
            }
        }
    }

    /// <summary>
    /// Adds what comes within the batch window (or until the consumer stops) to <paramref name="batch"/>, up to the batch
    /// size. The window's end is a delay the wait races against, not a cancelled wait: a window that closes on a partial
    /// batch is the usual case under a steady load (tens a second), and ending it by cancellation threw an
    /// OperationCanceledException each time. A wait left pending when the window closes is completed by the next message
    /// (or by the channel's completion at stop) and costs nothing meanwhile.
    /// </summary>
    private async Task FillBatchAsync(ChannelReader<TransportMessage> reader, List<TransportMessage> batch)
    {
        var opened = Stopwatch.GetTimestamp();
        Task? windowClosed = null;
        while (batch.Count < _batchSize)
        {
            if (reader.TryRead(out var next))
            {
                batch.Add(next);
                continue;
            }

            if (windowClosed is null)
            {
                var left = TimeSpan.FromMilliseconds(_options.BatchTimeoutMilliseconds) - Stopwatch.GetElapsedTime(opened);
                if (left <= TimeSpan.Zero)
                {
                    return;
                }

                // Cancelled at stop, it completes as cancelled without throwing here: Task.WhenAny does not observe it.
                windowClosed = Task.Delay(left, _stopTaking.Token);
            }

            var waiting = reader.WaitToReadAsync().AsTask();
            if (await Task.WhenAny(waiting, windowClosed) != waiting || !await waiting)
            {
                return; // the window closed (or the consumer stops, or the channel completed): hand over what we have
            }
        }
    }

    private async Task ProcessAsync(List<TransportMessage> received)
    {
        var contexts = new List<MessageContext<TMessage>>(received.Count);
        foreach (var message in received)
        {
            if (message.ReleaseIfDeliveryLost())
            {
                continue;
            }

            if (MessageSerializer.TryDeserialize<TMessage>(message.Body, out var body, out var error))
            {
                contexts.Add(new MessageContext<TMessage>(body!, message, TraceContext.Extract(message)));
            }
            else
            {
                DeadLetter(message, "malformed", error!);
            }
        }

        if (contexts.Count > 0)
        {
            await HandleWithRetriesAsync(contexts);
        }
    }

    private async Task HandleWithRetriesAsync(List<MessageContext<TMessage>> batch)
    {
        var token = _abortHandlers.Token;
        Exception? failure = null;
        var outage = 0;
        for (var attempt = 0; attempt <= _options.RetryLimit;)
        {
            if (attempt > 0 || outage > 0)
            {
                MessagingTelemetry.Retries.Add(1, _destinationTag);
                try
                {
                    await Task.Delay(_options.RetryDelay(outage > 0 ? outage - 1 : attempt - 1), token);
                }
                catch (OperationCanceledException)
                {
                    return; // shutting down hard: leave them unacked for redelivery
                }
            }

            using var activity = StartProcessActivity(batch);
            try
            {
                batch.ForEach(c => c.ClearRejection());
                await _handler(batch, token);
                Settle(batch);
                return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (DependencyUnavailableException ex)
            {
                // Not the messages' fault: keep them, wait for the dependency, and do not spend their retries.
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                LogDependencyUnavailable(_logger, _destination.Path, batch.Count, ex.Dependency, ex.InnerException?.Message ?? ex.Message);
                outage++;
            }
            catch (Exception ex)
            {
                failure = ex;
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                LogHandlerFailed(_logger, ex, _destination.Path, batch.Count, attempt + 1, _options.RetryLimit + 1);
                outage = 0;
                attempt++;
            }
        }

        if (batch.Count > 1)
        {
            // One bad message must not dead-letter its neighbours: isolate it by handling each on its own.
            LogSplittingBatch(_logger, _destination.Path, batch.Count);
            foreach (var single in batch)
            {
                await HandleWithRetriesAsync([single]);
            }

            return;
        }

        DeadLetter(batch[0].Envelope, "handler_failed", failure!.Message);
    }

    private void Settle(List<MessageContext<TMessage>> batch)
    {
        foreach (var context in batch)
        {
            if (context.RejectionReason is { } reason)
            {
                DeadLetter(context.Envelope, "rejected", reason);
            }
            else
            {
                context.Envelope.Ack();
            }
        }
    }

    private void DeadLetter(TransportMessage message, string kind, string reason)
    {
        LogDeadLettered(_logger, message.MessageId, _destination.Path, kind, reason);
        if (message.Nack(reason))
        {
            MessagingTelemetry.DeadLettered.Add(1, _destinationTag, new("reason", kind));
        }
    }

    private Activity? StartProcessActivity(List<MessageContext<TMessage>> batch)
    {
        var name = $"{_destination.Name} process";
        Activity? activity;
        if (batch.Count == 1)
        {
            activity = MessagingTelemetry.ActivitySource.StartActivity(name, ActivityKind.Consumer, batch[0].ParentContext);
        }
        else
        {
            // A batch has many parents: link to each instead of picking one.
            var links = batch.Where(c => c.ParentContext != default).Take(128).Select(c => new ActivityLink(c.ParentContext));
            activity = MessagingTelemetry.ActivitySource.StartActivity(name, ActivityKind.Consumer, default(ActivityContext), links: links);
        }

        activity?.SetTag("messaging.system", _transport.System);
        activity?.SetTag("messaging.destination.name", _destination.Name);
        activity?.SetTag("messaging.batch.message_count", batch.Count);
        return activity;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopTaking.IsCancellationRequested)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await StopAsync(timeout.Token);
        }

        _stopTaking.Dispose();
        _abortHandlers.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Destination} with {Concurrency} handler(s), batches of up to {BatchSize}, prefetch {Prefetch}")]
    private static partial void LogStarted(ILogger logger, string destination, int concurrency, int batchSize, int prefetch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped consuming {Destination}; {Released} buffered message(s) released to other consumers")]
    private static partial void LogStopped(ILogger logger, string destination, int released);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler for {Destination} failed on {Count} message(s), attempt {Attempt} of {Attempts}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string destination, int count, int attempt, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Holding {Count} message(s) from {Destination}: {Dependency} is unavailable ({Reason}); retrying")]
    private static partial void LogDependencyUnavailable(ILogger logger, string destination, int count, string dependency, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} from {Destination} kept failing; handling its messages one by one")]
    private static partial void LogSplittingBatch(ILogger logger, string destination, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dead-lettering message {MessageId} from {Destination} ({Kind}): {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string messageId, string destination, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure in the consumer of {Destination}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string destination);
}
