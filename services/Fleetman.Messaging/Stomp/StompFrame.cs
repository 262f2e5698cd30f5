namespace Fleetman.Messaging.Stomp;

/// <summary>
/// One STOMP 1.2 frame: a command, ordered headers and an opaque body.
/// Headers keep their wire order because STOMP says the first occurrence of a repeated header wins.
/// </summary>
internal sealed class StompFrame
{
    public StompFrame(string command, IReadOnlyList<KeyValuePair<string, string>>? headers = null, ReadOnlyMemory<byte> body = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        Command = command;
        Headers = headers ?? [];
        Body = body;
    }

    public string Command { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The value of the first header with this name, or null.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var header in Headers)
            {
                if (header.Key == name)
                {
                    return header.Value;
                }
            }

            return null;
        }
    }

    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    public override string ToString() => $"{Command} ({Headers.Count} headers, {Body.Length} bytes)";
}

/// <summary>STOMP command names used by the client and the broker.</summary>
internal static class StompCommands
{
    public const string Connect = "CONNECT";
    public const string Stomp = "STOMP";
    public const string Connected = "CONNECTED";
    public const string Send = "SEND";
    public const string Subscribe = "SUBSCRIBE";
    public const string Unsubscribe = "UNSUBSCRIBE";
    public const string Ack = "ACK";
    public const string Nack = "NACK";
    public const string Disconnect = "DISCONNECT";
    public const string Message = "MESSAGE";
    public const string Receipt = "RECEIPT";
    public const string Error = "ERROR";
}
