using System.Net.Sockets;

namespace Fleetman.Gateway.Tests.Integration;

/// <summary>
/// Requests Kestrel refuses before any middleware runs: ASP.NET Core gives the app no hook to write those responses,
/// so they cannot be problems. They are documented exceptions (docs/security.md) and pinned here: the status, an empty
/// body, nothing about the server, and the connection closed.
/// </summary>
public sealed class ServerRejectionTests : IAsyncLifetime
{
    private InProcessService<GatewayOptions> _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync(GatewayHost.Settings());

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData("a NUL in the path", "GET /api/%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400)]
    [InlineData("a 10 KB path", "GET /{long} HTTP/1.1\r\nHost: x\r\n\r\n", 414)]
    [InlineData("64 KB of headers", "GET / HTTP/1.1\r\nHost: x\r\n{headers}\r\n", 431)]
    [InlineData("a Content-Length that is not a number", "POST /api/ HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n", 400)]
    [InlineData("no Host", "GET / HTTP/1.1\r\n\r\n", 400)]
    [InlineData("a bad request line", "GET\r\n\r\n", 400)]
    public async Task Kestrel_answers_with_the_status_an_empty_body_and_no_server_details(string what, string request, int status)
    {
        request = request.Replace("{long}", new string('a', 10 * 1024), StringComparison.Ordinal)
            .Replace("{headers}", string.Concat(Enumerable.Range(0, 64).Select(i => $"X-Filler-{i}: {new string('b', 1000)}\r\n")), StringComparison.Ordinal);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_gateway.Http.BaseAddress!.Host, _gateway.Http.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var response = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            response.Write(buffer, 0, read);
        }

        var text = Encoding.ASCII.GetString(response.ToArray());
        text.ShouldStartWith($"HTTP/1.1 {status} ", customMessage: what);
        text.ShouldContain("Content-Length: 0", customMessage: what);
        text.ShouldNotContain("Server:", customMessage: what);
        text.ShouldNotContain("Kestrel", customMessage: what);
    }
}
