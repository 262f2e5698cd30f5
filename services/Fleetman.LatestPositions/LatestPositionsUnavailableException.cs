namespace Fleetman.LatestPositions;

/// <summary>
/// Redis could not be read or written for the latest positions: not connected, too slow to answer within the client's
/// timeout, or its command abandoned by the client. StackExchange.Redis reports these as three unrelated exception
/// types (a <c>RedisException</c>, a <c>TimeoutException</c> and a <c>TaskCanceledException</c>); every caller treats
/// them the same way — Redis is a dependency that is down for now — so <see cref="LatestPositionCache"/> raises this one.
/// </summary>
public sealed class LatestPositionsUnavailableException : Exception
{
    public LatestPositionsUnavailableException()
    {
    }

    public LatestPositionsUnavailableException(string message)
        : base(message)
    {
    }

    public LatestPositionsUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
