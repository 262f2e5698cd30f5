using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Fleetman.Messaging.Stomp;

/// <summary>
/// A self-healing STOMP client: keeps one connection to the broker, reconnects with exponential backoff and jitter
/// when it is lost, resubscribes every subscription, and lets sends wait (bounded) through an outage.
/// Thread-safe; one per process is enough.
/// </summary>
internal sealed partial class BrokerClient : IMessageTransport, IAsyncDisposable
{
    private readonly BrokerOptions _options;
    private readonly string _brokerName;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly GroupCommitSender _sender;
    private readonly Lock _stateLock = new();
    private TaskCompletionSource<StompConnection> _connected = NewConnectedSignal();
    private StompConnection? _current;
    private readonly ResiliencePipeline _connect;
    private Task? _connectionLoop;
    private long _subscriptionCounter;
    private int _attempt; // the backoff step; only the connection loop touches it

    public BrokerClient(IOptions<BrokerOptions> options, ILogger<BrokerClient>? logger = null)
    {
        _options = options.Value;
        _brokerName = _options.ToString();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _sender = new GroupCommitSender(this, _options, _stopping.Token);
        _connect = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            // Until connected or stopped: the broker may come up at any time after the service.
            MaxRetryAttempts = int.MaxValue,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } ex && !(ex is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested)),
            // The step goes on from where the last connection left it (see the loop), not from 0.
            DelayGenerator = _ => ValueTask.FromResult<TimeSpan?>(Backoff(_attempt)),
            OnRetry = args =>
            {
                LastError = args.Outcome.Exception!.Message;
                LogConnectFailed(_logger, _brokerName, LastError, args.RetryDelay.TotalMilliseconds);
                _attempt++;
                return default;
            },
        }).Build();
    }

    public BrokerOptions Options => _options;

    public string System => "activemq";

    public bool IsConnected => _current is { IsOpen: true };

    public override string ToString() => $"the broker at {_brokerName}";

    /// <summary>Why the last connection attempt or connection failed; null while connected.</summary>
    public string? LastError { get; private set; }

    /// <summary>Starts connecting in the background; does not wait for the broker, which may come up later.</summary>
    public void Start()
    {
        lock (_stateLock)
        {
            _connectionLoop ??= Task.Run(ConnectionLoopAsync);
        }
    }

    /// <summary>Waits until connected (or the token fires). Starts the client if needed.</summary>
    public async Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        Start();
        await _connected.Task.WaitAsync(cancellationToken);
    }

    private async Task ConnectionLoopAsync()
    {
        var everConnected = false;
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            StompConnection connection;
            try
            {
                connection = await _connect.ExecuteAsync(
                    static (client, cancellationToken) => new ValueTask<StompConnection>(StompConnection.ConnectAsync(client._options, client.OnFrame, client._logger, cancellationToken)),
                    this,
                    token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }

            var connectedAt = Environment.TickCount64;
            if (everConnected)
            {
                MessagingTelemetry.Reconnects.Add(1);
            }

            everConnected = true;
            LogConnected(_logger, _brokerName, connection.Server);
            foreach (var subscription in _subscriptions.Values)
            {
                connection.Send(subscription.SubscribeFrame());
            }

            lock (_stateLock)
            {
                _current = connection;
                LastError = null;
                _connected.TrySetResult(connection);
            }

            try
            {
                await connection.Completion.WaitAsync(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LastError = ex.Message;
                LogConnectionLost(_logger, _brokerName, ex.Message);
            }
            finally
            {
                lock (_stateLock)
                {
                    _current = null;
                    if (_connected.Task.IsCompleted)
                    {
                        _connected = NewConnectedSignal();
                    }
                }

                await connection.DisposeAsync();
            }

            // A connection that lived a while resets the backoff; one that dies at once keeps backing off.
            _attempt = Environment.TickCount64 - connectedAt > 30_000 ? 0 : _attempt + 1;
            await DelayQuietly(Backoff(_attempt), token);
        }
    }

    /// <summary>Exponential backoff with full jitter, so a fleet of clients does not reconnect in lock-step.</summary>
    internal TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_options.ReconnectMaxDelayMilliseconds, _options.ReconnectMinDelayMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        var delay = _options.ReconnectMinDelayMilliseconds + (Random.Shared.NextDouble() * Math.Max(0, ceiling - _options.ReconnectMinDelayMilliseconds));
        return TimeSpan.FromMilliseconds(delay);
    }

    private static async Task DelayQuietly(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static TaskCompletionSource<StompConnection> NewConnectedSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Sends a frame and completes once the broker confirmed it with a receipt (for a persistent message: stored).
    /// Sends are pipelined and group-committed: see <see cref="BrokerOptions.MaxSendBatch"/>. If the connection drops
    /// before the confirmation, the frame is sent again on the next connection (at-least-once); the whole operation
    /// gives up with <see cref="MessagingUnavailableException"/> after <see cref="BrokerOptions.SendTimeoutSeconds"/>.
    /// </summary>
    public Task SendAsync(Destination destination, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        Start();
        return _sender.SendAsync(destination, headers, body, cancellationToken);
    }

    /// <summary>The current connection, waiting for one while reconnecting.</summary>
    internal Task<StompConnection> ConnectionAsync(CancellationToken cancellationToken) => _connected.Task.WaitAsync(cancellationToken);

    /// <summary>Waits until the loop has noticed that <paramref name="dead"/> is gone, so callers do not spin on it.</summary>
    internal async Task WaitForReplacementAsync(StompConnection dead, CancellationToken token)
    {
        while (_connected.Task.IsCompletedSuccessfully && ReferenceEquals(_connected.Task.Result, dead))
        {
            await Task.Delay(10, token);
        }
    }

    /// <summary>
    /// Subscribes with client-individual acks and an ActiveMQ prefetch window. The subscription survives reconnects:
    /// it is sent again on every new connection. Each MESSAGE frame is handed to <paramref name="onMessage"/> on the
    /// connection's reader, so the callback must only queue the message.
    /// </summary>
    public IDisposable Subscribe(Destination destination, int prefetch, Action<TransportMessage> onMessage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetch, 1);
        var id = "sub-" + Interlocked.Increment(ref _subscriptionCounter).ToString(CultureInfo.InvariantCulture);
        var subscription = new Subscription(this, id, destination, prefetch, onMessage);
        _subscriptions[id] = subscription;
        Start();
        try
        {
            _current?.Send(subscription.SubscribeFrame());
        }
        catch (ConnectionLostException)
        {
            // the next connection subscribes it
        }

        return subscription;
    }

    internal void Unsubscribe(Subscription subscription)
    {
        if (_subscriptions.TryRemove(subscription.Id, out _))
        {
            try
            {
                _current?.Send(new StompFrame(StompCommands.Unsubscribe, [new("id", subscription.Id)]));
            }
            catch (ConnectionLostException)
            {
                // nothing to unsubscribe from
            }
        }
    }

    private void OnFrame(StompConnection connection, StompFrame frame)
    {
        if (frame["subscription"] is { } id && _subscriptions.TryGetValue(id, out var subscription))
        {
            subscription.Deliver(new ReceivedMessage(frame, subscription.Destination, connection));
        }
        else
        {
            // A message for a subscription we dropped: leave it unacked, the broker gives it to someone else.
            LogOrphanMessage(_logger, frame["subscription"] ?? "(none)");
        }
    }

    public async ValueTask DisposeAsync()
    {
        var current = _current;
        await _stopping.CancelAsync();
        await _sender.DisposeAsync();
        if (current is not null)
        {
            await current.CloseAsync(TimeSpan.FromSeconds(5));
        }

        if (_connectionLoop is not null)
        {
            await _connectionLoop;
        }

        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to broker {Broker} ({Server})")]
    private static partial void LogConnected(ILogger logger, string broker, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot connect to broker {Broker}: {Reason}; retrying in {DelayMs:F0} ms")]
    private static partial void LogConnectFailed(ILogger logger, string broker, string reason, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the connection to broker {Broker}: {Reason}; reconnecting")]
    private static partial void LogConnectionLost(ILogger logger, string broker, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Message for unknown subscription {Subscription} left unacked")]
    private static partial void LogOrphanMessage(ILogger logger, string subscription);
}

/// <summary>A live subscription of a <see cref="BrokerClient"/>; dispose it to unsubscribe.</summary>
internal sealed class Subscription : IDisposable
{
    private readonly BrokerClient _client;
    private readonly Action<TransportMessage> _onMessage;

    internal Subscription(BrokerClient client, string id, Destination destination, int prefetch, Action<TransportMessage> onMessage)
    {
        _client = client;
        Id = id;
        Destination = destination;
        Prefetch = prefetch;
        _onMessage = onMessage;
    }

    public string Id { get; }

    public Destination Destination { get; }

    public int Prefetch { get; }

    internal StompFrame SubscribeFrame() => new(StompCommands.Subscribe,
    [
        new("id", Id),
        new("destination", Destination.Path),
        new("ack", "client-individual"),
        new("activemq.prefetchSize", Prefetch.ToString(CultureInfo.InvariantCulture)),

        // JMS map messages (a Java service's MapMessage) arrive as JSON the serializer reads; text and bytes
        // messages, ours, arrive unchanged.
        new(JmsMapJson.TransformationHeader, JmsMapJson.Transformation),
    ]);

    internal void Deliver(ReceivedMessage message)
    {
        MessagingTelemetry.Delivered(Destination);
        _onMessage(message);
    }

    public void Dispose() => _client.Unsubscribe(this);
}
