namespace Fleetman.Messaging;

/// <summary>The broker could not be reached, or did not confirm a send, within the configured time.</summary>
public sealed class BrokerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The connection a frame was written to closed before the broker answered it.</summary>
internal sealed class ConnectionLostException(string message, Exception? inner = null) : Exception(message, inner);
