namespace Fleetman.Messaging;

/// <summary>
/// The message transport could not take or confirm a message within the configured time (the broker is down,
/// refused the message, or the connection broke). Whatever the transport, this is the one exception publishers see.
/// </summary>
public sealed class MessagingUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The connection a frame was written to closed before the broker answered it.</summary>
internal sealed class ConnectionLostException(string message, Exception? inner = null) : Exception(message, inner);
