using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleetman.Messaging.Stomp;

/// <summary>A queue's figures as ActiveMQ's statistics plugin reports them.</summary>
/// <param name="Queue">The queue name.</param>
/// <param name="Size">Messages waiting in the queue (not yet acked), including those dispatched and in flight.</param>
/// <param name="ConsumerCount">Subscriptions on the queue.</param>
/// <param name="InflightCount">Messages dispatched to consumers and not yet acked.</param>
/// <param name="EnqueueCount">Messages sent to the queue since the broker started.</param>
/// <param name="DequeueCount">Messages acked (or dead-lettered) since the broker started.</param>
/// <param name="Exists">False when the broker has no such queue (yet): nothing waits in it, and every figure is 0.</param>
internal sealed record QueueStatistics(string Queue, long Size, long ConsumerCount, long InflightCount, long EnqueueCount, long DequeueCount, bool Exists = true)
{
    internal static QueueStatistics Absent(string queue) => new(queue, 0, 0, 0, 0, 0, Exists: false);
}

/// <summary>The broker gave no statistics: it lacks the statisticsBrokerPlugin (or cannot transform its answer).</summary>
internal sealed class QueueStatisticsUnavailableException(string message) : Exception(message);

/// <summary>
/// Asks ActiveMQ Classic for a queue's statistics over STOMP, without JMX: a SEND to
/// <c>/queue/ActiveMQ.Statistics.Destination.&lt;queue&gt;</c> with a <c>reply-to</c> temporary queue makes the broker's
/// statisticsBrokerPlugin answer with a map message, which the <c>jms-map-json</c> transformation turns into JSON.
/// </summary>
/// <remarks>
/// The plugin says nothing about a queue the broker does not have. So each request is followed by one for the broker's
/// own statistics (<c>ActiveMQ.Statistics.Broker</c>), which always gets an answer: the broker handles both in order and
/// replies to the same temporary queue in order, so when the broker's answer arrives alone the queue does not exist
/// (depth 0), and when neither arrives the plugin is missing.
/// <para>
/// The client has its own connection, opened on the first request and again after it is lost, so nothing it does
/// (an ERROR frame for an unsupported transformation, a dead connection) can touch the connection consumers and
/// publishers share. Requests are non-persistent and expire with their reply timeout: on a broker without the plugin
/// they would otherwise pile up in a queue nobody reads.
/// </para>
/// </remarks>
internal sealed partial class QueueStatisticsClient : IAsyncDisposable
{
    private const string StatisticsPrefix = "/queue/ActiveMQ.Statistics.Destination.";
    private const string BrokerStatistics = "/queue/ActiveMQ.Statistics.Broker";
    private const string EndMarker = "/end";
    private const string ReplyQueue = "/temp-queue/fleetman-queue-statistics";
    private const string ReplySubscription = "queue-statistics";

    private readonly BrokerOptions _options;
    private readonly TimeSpan _replyTimeout;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, PendingRequest> _pending = new();
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private StompConnection? _connection;
    private long _requestCounter;
    private bool _disposed;

    public QueueStatisticsClient(BrokerOptions options, TimeSpan replyTimeout, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(replyTimeout, TimeSpan.Zero);
        _options = options;
        _replyTimeout = replyTimeout;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// The queue's current statistics; for a queue the broker does not have, zeros (<see cref="QueueStatistics.Exists"/> false).
    /// </summary>
    /// <exception cref="MessagingUnavailableException">The broker cannot be reached, or the connection broke during the request.</exception>
    /// <exception cref="QueueStatisticsUnavailableException">No answer within the reply timeout: the broker has no statistics plugin.</exception>
    public async Task<QueueStatistics> GetAsync(Destination queue, CancellationToken cancellationToken = default)
    {
        if (!queue.IsQueue)
        {
            throw new ArgumentException($"Statistics are asked for queues; {queue} is a topic.", nameof(queue));
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = await ConnectionAsync(cancellationToken);
        var correlationId = "qs-" + Interlocked.Increment(ref _requestCounter).ToString(CultureInfo.InvariantCulture);
        var pending = new PendingRequest(queue.Name);
        _pending[correlationId] = pending;
        try
        {
            var expires = DateTimeOffset.UtcNow.Add(_replyTimeout).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            connection.Send(Request(StatisticsPrefix + queue.Name, correlationId, expires));
            connection.Send(Request(BrokerStatistics, correlationId + EndMarker, expires));

            var reply = pending.Reply.Task;
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var finished = await Task.WhenAny(reply, connection.Completion, Task.Delay(_replyTimeout, waiting.Token));
            await waiting.CancelAsync();
            if (finished == reply)
            {
                return await reply;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (finished == connection.Completion)
            {
                throw new MessagingUnavailableException($"The connection to the broker at {_options} closed before it answered: {Reason(connection.Completion)}");
            }

            throw new QueueStatisticsUnavailableException(
                $"The broker at {_options} sent no statistics within {_replyTimeout.TotalSeconds:0.#} s: " +
                "its statisticsBrokerPlugin is not enabled (or the jms-map-json transformation is not available to it).");
        }
        catch (ConnectionLostException ex)
        {
            throw new MessagingUnavailableException($"The connection to the broker at {_options} is closed: {ex.Message}", ex);
        }
        finally
        {
            _pending.TryRemove(correlationId, out _);
        }
    }

    private static StompFrame Request(string destination, string correlationId, string expires) => new(StompCommands.Send,
    [
        new("destination", destination),
        new("reply-to", ReplyQueue),
        new("correlation-id", correlationId),
        new("persistent", "false"),
        new("expires", expires),
    ]);

    private async Task<StompConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsOpen: true } open)
        {
            return open;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true } reopened)
            {
                return reopened;
            }

            if (_connection is not null)
            {
                _ = Reason(_connection.Completion); // observed: why it ended was reported to the request it failed, if any
                await _connection.DisposeAsync();
                _connection = null;
            }

            StompConnection connection;
            try
            {
                connection = await StompConnection.ConnectAsync(_options, OnFrame, _logger, cancellationToken);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or StompProtocolException)
            {
                throw new MessagingUnavailableException($"Cannot connect to the broker at {_options}: {ex.Message}", ex);
            }

            // Auto acks: a reply is read once and needs no settling. The same connection's frames are handled in order,
            // so the subscription exists before any request sent after it is answered.
            connection.Send(new StompFrame(StompCommands.Subscribe,
            [
                new("id", ReplySubscription),
                new("destination", ReplyQueue),
                new("ack", "auto"),
                new("transformation", "jms-map-json"),
            ]));
            _connection = connection;
            return connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private void OnFrame(StompConnection connection, StompFrame frame)
    {
        var id = frame["correlation-id"] ?? "(none)";
        var isEnd = id.EndsWith(EndMarker, StringComparison.Ordinal);
        if (!_pending.TryGetValue(isEnd ? id[..^EndMarker.Length] : id, out var pending))
        {
            LogUnexpectedReply(_logger, id);
            return;
        }

        if (isEnd)
        {
            // Answered after the queue's reply, if there was one; so none came: the broker has no such queue.
            pending.Reply.TrySetResult(QueueStatistics.Absent(pending.Queue));
            return;
        }

        try
        {
            // A queue name with wildcards would be answered once per matching queue; only the exact one counts.
            if (Parse(frame.Body, pending.Queue) is { } statistics)
            {
                pending.Reply.TrySetResult(statistics);
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            pending.Reply.TrySetException(new QueueStatisticsUnavailableException(
                $"The broker at {_options} answered for queue {pending.Queue} with a body that is not a jms-map-json statistics map: {ex.Message}"));
        }
    }

    /// <summary>
    /// Reads the plugin's map as the <c>jms-map-json</c> transformation writes it:
    /// <c>{"map":{"entry":[{"string":"size","long":2},{"string":["destinationName","queue://q"]},...]}}</c>
    /// (an entry with a string value is a two-element array; a map of one entry may be an object instead of an array).
    /// Returns null when the reply is about another queue.
    /// </summary>
    internal static QueueStatistics? Parse(ReadOnlyMemory<byte> json, string queue)
    {
        using var document = JsonDocument.Parse(json);
        var entries = document.RootElement.GetProperty("map").GetProperty("entry");
        var numbers = new Dictionary<string, long>(StringComparer.Ordinal);
        string? destinationName = null;
        foreach (var entry in entries.ValueKind == JsonValueKind.Array ? entries.EnumerateArray() : Enumerable.Repeat(entries, 1))
        {
            var key = entry.GetProperty("string");
            if (key.ValueKind == JsonValueKind.Array)
            {
                if (key.GetArrayLength() == 2 && key[0].GetString() == "destinationName")
                {
                    destinationName = key[1].GetString();
                }

                continue;
            }

            foreach (var value in entry.EnumerateObject())
            {
                if (value.Name != "string" && value.Value.ValueKind == JsonValueKind.Number)
                {
                    numbers[key.GetString()!] = value.Value.TryGetInt64(out var whole) ? whole : (long)value.Value.GetDouble();
                }
            }
        }

        if (destinationName is not null && destinationName != "queue://" + queue)
        {
            return null;
        }

        if (!numbers.TryGetValue("size", out var size))
        {
            throw new FormatException("the map has no \"size\" entry");
        }

        return new QueueStatistics(
            queue,
            size,
            numbers.GetValueOrDefault("consumerCount"),
            numbers.GetValueOrDefault("inflightCount"),
            numbers.GetValueOrDefault("enqueueCount"),
            numbers.GetValueOrDefault("dequeueCount"));
    }

    private static string Reason(Task completion) =>
        completion.Exception?.GetBaseException().Message ?? "closed by the broker";

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _connecting.WaitAsync();
        try
        {
            if (_connection is not null)
            {
                await _connection.CloseAsync(TimeSpan.FromSeconds(2));
                await _connection.DisposeAsync();
                _connection = null;
            }
        }
        finally
        {
            _connecting.Release();
            _connecting.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignoring a statistics reply for unknown request {CorrelationId} (it came after its timeout)")]
    private static partial void LogUnexpectedReply(ILogger logger, string correlationId);

    private sealed class PendingRequest(string queue)
    {
        public string Queue { get; } = queue;

        public TaskCompletionSource<QueueStatistics> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
