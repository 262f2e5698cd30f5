using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Fleetman.Gateway.Tests.Integration;

/// <summary>
/// A stand-in for a service behind the gateway, on a real Kestrel at a free loopback port. HTTP requests are answered
/// with what arrived, as JSON (<see cref="Echo"/>), or with <c>?json=N</c> a JSON string of N bytes; WebSocket requests are accepted and every text message is sent
/// back as "{name}: {message}". It answers as Kestrel does (<c>Server: Kestrel</c>) and with a weaker framing policy
/// than the gateway's, so tests can see the gateway's headers win. It counts the connections it accepted, and holds
/// requests with <c>?hold</c> until the test releases them, so tests can see how many the gateway opens at once.
/// </summary>
internal sealed class Backend : IAsyncDisposable
{
    private readonly SemaphoreSlim _release = new(0);
    private WebApplication _app = null!;
    private int _acceptedConnections;
    private int _held;

    private Backend(string name) => Name = name;

    public string Name { get; }

    public string Address => _app.Urls.Single();

    /// <summary>The TCP connections Kestrel accepted since the start.</summary>
    public int AcceptedConnections => Volatile.Read(ref _acceptedConnections);

    /// <summary>The requests with <c>?hold</c> waiting for <see cref="Release"/>.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Lets <paramref name="requests"/> held requests (now or later) be answered.</summary>
    public void Release(int requests) => _release.Release(requests);

    public static async Task<Backend> StartAsync(string name)
    {
        var backend = new Backend(name);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection =>
            {
                Interlocked.Increment(ref backend._acceptedConnections);
                return next(connection);
            }));
        });
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(context => context.WebSockets.IsWebSocketRequest ? EchoMessagesAsync(name, context) : backend.EchoRequestAsync(context));
        backend._app = app;
        await app.StartAsync();
        return backend;
    }

    private async Task EchoRequestAsync(HttpContext context)
    {
        if (context.Request.Query.ContainsKey("hold"))
        {
            Interlocked.Increment(ref _held);
            try
            {
                await _release.WaitAsync(context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref _held);
            }
        }

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
            Name,
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
        _release.Dispose();
    }
}

/// <summary>What a <see cref="Backend"/> received.</summary>
internal sealed record Echo(string Backend, string Method, string Path, string Query, Dictionary<string, string> Headers, long BodyLength)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
