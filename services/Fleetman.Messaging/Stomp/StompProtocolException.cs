namespace Fleetman.Messaging.Stomp;

/// <summary>Bytes on the wire that are not a valid STOMP 1.2 frame, or an ERROR frame from the broker.</summary>
internal sealed class StompProtocolException(string message) : Exception(message);
