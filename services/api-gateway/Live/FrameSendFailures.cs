using StackExchange.Redis;

namespace Fleetman.ApiGateway.Live;

/// <summary>
/// The frames this replica's connections could not send. One whose connection is closing is expected (its disconnect
/// follows) and logged at Debug. Any other is counted in <c>hub.frames_not_sent</c> by a reason of a fixed set
/// (<see cref="Backplane"/>, <see cref="Serialization"/>, <see cref="Other"/>) and logged as a warning, at most once per
/// reason every <see cref="WarningInterval"/> with how many more failed meanwhile: a backplane that cannot be reached
/// fails the frames of many connections at every push interval, and a warning per frame would bury the log.
/// </summary>
public sealed partial class FrameSendFailures(ApiGatewayMetrics metrics, TimeProvider clock, ILogger logger)
{
    /// <summary>Redis, through which SignalR sends to a connection that is not on this replica (any more).</summary>
    public const string Backplane = "backplane";

    /// <summary>The frame could not be written as JSON.</summary>
    public const string Serialization = "serialization";

    /// <summary>Anything else.</summary>
    public const string Other = "other";

    public static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset WarnedAt, int Since)> _warned = new(StringComparer.Ordinal);

    /// <summary>The reason a send failed with <paramref name="exception"/>, or null when its connection is closing.</summary>
    public static string? ReasonOf(Exception exception) => exception switch
    {
        IOException or ObjectDisposedException => null,
        RedisException or RedisTimeoutException => Backplane, // the timeout is not a RedisException
        JsonException or NotSupportedException => Serialization,
        _ => Other,
    };

    public void Failed(string connectionId, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (ReasonOf(exception) is not { } reason)
        {
            LogClosing(logger, connectionId, exception.Message);
            return;
        }

        metrics.FrameNotSent(reason);
        var now = clock.GetUtcNow();
        int since;
        lock (_lock)
        {
            if (_warned.TryGetValue(reason, out var last) && now - last.WarnedAt < WarningInterval)
            {
                _warned[reason] = last with { Since = last.Since + 1 };
                since = -1;
            }
            else
            {
                since = last.Since;
                _warned[reason] = (now, 0);
            }
        }

        if (since < 0)
        {
            LogNotSentAgain(logger, reason, connectionId, exception.Message);
        }
        else
        {
            LogNotSent(logger, exception, reason, connectionId, since);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not push to connection {ConnectionId}, which is closing: {Reason}")]
    private static partial void LogClosing(ILogger logger, string connectionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not push a frame to connection {ConnectionId} ({Reason}); {Since} more failed for this reason since the last such warning (hub_frames_not_sent counts them all)")]
    private static partial void LogNotSent(ILogger logger, Exception exception, string reason, string connectionId, int since);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not push a frame to connection {ConnectionId} ({Reason}): {Message}")]
    private static partial void LogNotSentAgain(ILogger logger, string reason, string connectionId, string message);
}
