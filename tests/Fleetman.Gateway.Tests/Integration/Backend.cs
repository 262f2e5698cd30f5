using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Fleetman.Gateway.Tests.Integration;

/// <summary>
/// A stand-in for a service behind the gateway, on a real Kestrel at a free loopback port. HTTP requests are answered
/// with what arrived, as JSON (<see cref="Echo"/>), or with <c>?json=N</c> a JSON string of N bytes; WebSocket requests are accepted and every text message is sent
/// back as "{name}: {message}". It answers as Kestrel does (<c>Server: Kestrel</c>) and with a weaker framing policy
/// than the gateway's, so tests can see the gateway's headers win.
/// </summary>
internal sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Backend(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }

    public string Address => _app.Urls.Single();

    public static async Task<Backend> StartAsync(string name)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(context => context.WebSockets.IsWebSocketRequest ? EchoMessagesAsync(name, context) : EchoRequestAsync(name, context));
        await app.StartAsync();
        return new Backend(name, app);
    }

    private static async Task EchoRequestAsync(string name, HttpContext context)
    {
        long bodyLength = 0;
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            bodyLength += read;
        }

        context.Response.Headers.XFrameOptions = "SAMEORIGIN";
        if (context.Request.Query["status"] is [{ } status])
        {
            // An answer without a body, as backends give for 404 or 204.
            context.Response.StatusCode = int.Parse(status, CultureInfo.InvariantCulture);
            return;
        }

        if (context.Request.Query["json"] is [{ } size])
        {
            // A JSON answer of exactly that many bytes, with its Content-Length, as the api-gateway gives its list.
            var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new string('x', int.Parse(size, CultureInfo.InvariantCulture) - 2)));
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
            return;
        }

        var echo = new Echo(
            name,
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            bodyLength);
        await context.Response.WriteAsJsonAsync(echo, JsonSerializerOptions.Web, context.RequestAborted);
    }

    private static async Task EchoMessagesAsync(string name, HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                return;
            }

            var reply = Encoding.UTF8.GetBytes($"{name}: {Encoding.UTF8.GetString(buffer, 0, received.Count)}");
            await socket.SendAsync(reply, WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What a <see cref="Backend"/> received.</summary>
internal sealed record Echo(string Backend, string Method, string Path, string Query, Dictionary<string, string> Headers, long BodyLength)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
