using System.Net.WebSockets;
using System.Text;

namespace Fleetman.Testing;

/// <summary>
/// A hub connection at the WebSocket level, without the SignalR client: what a hostile or unusual client can send
/// (any <c>Origin</c>, a forged <c>X-Forwarded-For</c>, no negotiation) and the upgrade's status code to assert on.
/// </summary>
public static class RawHubSocket
{
    /// <summary>A socket that keeps the upgrade's response details, with the headers given (null: not sent).</summary>
    public static ClientWebSocket Create(string? origin, string? forwardedFor)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        if (forwardedFor is not null)
        {
            socket.Options.SetRequestHeader("X-Forwarded-For", forwardedFor);
        }

        return socket;
    }

    /// <summary>
    /// Sends SignalR's JSON handshake and returns what the hub sends up to its first message after the handshake
    /// answer ("{}"), in as many frames as the server uses; or what came before the hub closed the socket.
    /// </summary>
    public static async Task<string> HandshakeAndReadAsync(ClientWebSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (received.ToString().Split('\u001e', StringSplitOptions.RemoveEmptyEntries).Length < 2)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            received.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        return received.ToString();
    }
}
