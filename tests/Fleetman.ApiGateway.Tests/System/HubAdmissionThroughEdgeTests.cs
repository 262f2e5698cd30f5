using System.Net.WebSockets;

namespace Fleetman.ApiGateway.Tests.System;

/// <summary>
/// The hub's admission behind the edge gateway (a process, as deployed): the page's origin is the edge's, which the
/// api-gateway sees through the edge's forwarded host, and a client cannot pass for another by sending its own
/// <c>X-Forwarded-For</c>.
/// </summary>
public sealed class HubAdmissionThroughEdgeTests : IAsyncLifetime
{
    private const int MaxConnections = 2;
    private IsolatedRun _run = null!;
    private ServiceProcess _edge = null!;

    private Uri EdgeHub => new($"ws://127.0.0.1:{_edge.Port}/hubs/vehicles");

    public async Task InitializeAsync()
    {
        _run = await IsolatedRun.StartAsync();
        var api = await _run.HostAsync<TrackerClientOptions>(new Dictionary<string, string?>
        {
            ["Hub__MaxConnectionsPerClient"] = MaxConnections.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
        });
        _edge = await ServiceProcess.StartProjectAsync("gateway", "Fleetman.Gateway", _run.Environment(new Dictionary<string, string?>
        {
            ["ReverseProxy__Clusters__api-gateway__Destinations__d1__Address"] = api.Address.ToString(),
        }), readinessPath: "/healthz/live");
    }

    public async Task DisposeAsync()
    {
        await _edge.DisposeAsync();
        await _run.DisposeAsync();
    }

    [Fact]
    public async Task A_page_served_by_the_edge_connects_through_it_and_a_page_from_elsewhere_is_refused()
    {
        using (var own = RawHubSocket.Create($"http://127.0.0.1:{_edge.Port}", forwardedFor: null))
        {
            await own.ConnectAsync(EdgeHub, CancellationToken.None);
            own.HttpStatusCode.ShouldBe(HttpStatusCode.SwitchingProtocols);
            (await RawHubSocket.HandshakeAndReadAsync(own)).ShouldContain("\"target\":\"snapshot\"");
            await own.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }

        using var evil = RawHubSocket.Create("https://evil.example", forwardedFor: null);
        await Should.ThrowAsync<WebSocketException>(() => evil.ConnectAsync(EdgeHub, CancellationToken.None));
        evil.HttpStatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_client_that_forges_X_Forwarded_For_through_the_edge_is_still_one_client_with_one_cap()
    {
        var open = new List<ClientWebSocket>();
        try
        {
            for (var i = 0; i < MaxConnections; i++)
            {
                var socket = RawHubSocket.Create(origin: null, forwardedFor: $"203.0.113.{i + 1}");
                open.Add(socket);
                await socket.ConnectAsync(EdgeHub, CancellationToken.None);
                (await RawHubSocket.HandshakeAndReadAsync(socket)).ShouldContain("\"target\":\"snapshot\"", Case.Sensitive, "the hub counted it by then");
            }

            var over = RawHubSocket.Create(origin: null, forwardedFor: "203.0.113.99");
            open.Add(over);
            await over.ConnectAsync(EdgeHub, CancellationToken.None);
            (await RawHubSocket.HandshakeAndReadAsync(over)).ShouldContain($"At most {MaxConnections} live connections");
        }
        finally
        {
            foreach (var socket in open)
            {
                socket.Dispose();
            }
        }
    }
}
