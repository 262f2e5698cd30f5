using System.Net.WebSockets;

namespace Fleetman.Gateway.Tests.Integration;

/// <summary>
/// The api-gateway behind two clusters with the same destinations: REST calls share a few connections per replica (the
/// <c>api-gateway</c> cluster's cap), and the hub's connections, each held for its life, are neither counted against
/// that cap nor turned away by it (the <c>api-gateway-hubs</c> cluster).
/// </summary>
public sealed class ApiClusterTests
{
    private const string CapSetting = "ReverseProxy:Clusters:api-gateway:HttpClient:MaxConnectionsPerServer";

    [Fact]
    public async Task Hub_streams_and_long_polls_beyond_the_REST_cap_all_reach_the_api_gateway_and_REST_calls_are_still_answered()
    {
        await using var backend = await Backend.StartAsync("api");
        await using var gateway = await StartAsync(backend, cap: "2");
        using var browsers = new HttpClient(new SocketsHttpHandler()) { BaseAddress = gateway.Http.BaseAddress };

        // Twice the cap of hub requests that stay open, as SignalR's SSE streams and long polls do (held at the
        // backend): on a capped cluster the third would wait for a connection that never frees. (A WebSocket leaves
        // the connection pool once upgraded, so it does not count against a cap.)
        var streams = Enumerable.Range(0, 4).Select(i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/hubs/vehicles?id={i}&hold");
            request.Headers.Accept.ParseAdd(i % 2 == 0 ? "text/event-stream" : "*/*");
            return browsers.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }).ToArray();
        try
        {
            await Eventually.Until(() => backend.Held == streams.Length, () => $"{backend.Held} of {streams.Length} hub requests reached the api-gateway");

            await ListIsAnsweredAsync(browsers);
        }
        finally
        {
            backend.Release(streams.Length);
            foreach (var response in await Task.WhenAll(streams))
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task WebSockets_beyond_the_REST_cap_are_held_open_beside_REST_calls()
    {
        await using var backend = await Backend.StartAsync("api");
        await using var gateway = await StartAsync(backend, cap: "2");

        var sockets = new List<ClientWebSocket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var socket = new ClientWebSocket();
                sockets.Add(socket);
                using var connecting = new CancellationTokenSource(Eventually.Patience);
                await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Address.Port}/hubs/vehicles?id={i}"), connecting.Token);
                await socket.SendAsync(Encoding.UTF8.GetBytes($"hello {i}"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                (await RoutingTests.ReceiveAsync(socket)).ShouldBe($"api: hello {i}");
            }

            await ListIsAnsweredAsync(gateway.Http);
            await sockets[0].SendAsync(Encoding.UTF8.GetBytes("still here"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            (await RoutingTests.ReceiveAsync(sockets[0])).ShouldBe("api: still here");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                if (socket.State == WebSocketState.Open)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
                }

                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task REST_calls_from_more_clients_than_the_shipped_cap_share_at_most_the_cap_of_connections_to_a_replica()
    {
        await using var backend = await Backend.StartAsync("api");
        await using var gateway = await StartAsync(backend, cap: null);
        var shipped = gateway.Services.GetRequiredService<IConfiguration>()[CapSetting];
        shipped.ShouldNotBeNull("appsettings.json caps the api-gateway cluster's connections");
        var cap = int.Parse(shipped, CultureInfo.InvariantCulture);

        // More calls at once than the cap, each held at the backend until the cap's number have arrived: without the
        // cap every call would open a connection of its own.
        var calls = cap + 8;
        using var clients = new HttpClient(new SocketsHttpHandler()) { BaseAddress = gateway.Http.BaseAddress };
        var answers = Enumerable.Range(0, calls).Select(i => clients.GetAsync(new Uri($"/api/vehicles/?hold&call={i}", UriKind.Relative))).ToArray();
        await Eventually.Until(() => backend.Held >= cap, () => $"{backend.Held} of {cap} calls reached the backend");
        backend.Release(calls);
        var responses = await Task.WhenAll(answers);

        try
        {
            responses.ShouldAllBe(response => response.StatusCode == HttpStatusCode.OK);
            backend.AcceptedConnections.ShouldBeLessThanOrEqualTo(cap, $"{calls} calls at once, the cap {cap}");
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    /// <summary>The gateway in front of <paramref name="backend"/> as the api-gateway, its REST cap as shipped or <paramref name="cap"/>.</summary>
    private static async Task<InProcessService<GatewayOptions>> StartAsync(Backend backend, string? cap)
    {
        var settings = GatewayHost.Settings();
        settings[GatewayHost.DestinationVariable("api-gateway")] = backend.Address;
        if (cap is not null)
        {
            settings[CapSetting.Replace(":", "__", StringComparison.Ordinal)] = cap;
        }

        return await GatewayHost.StartAsync(settings);
    }

    private static async Task ListIsAnsweredAsync(HttpClient browser)
    {
        using var answering = new CancellationTokenSource(Eventually.Patience);
        using var list = await browser.GetAsync(new Uri("/api/vehicles/", UriKind.Relative), answering.Token);
        (await RoutingTests.ReadEchoAsync(list)).Path.ShouldBe("/api/vehicles/");
    }

    [Fact]
    public async Task An_unreachable_hub_is_a_502_problem_naming_the_api_gateway()
    {
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings());

        using var negotiation = await gateway.Http.PostAsync(new Uri("/hubs/vehicles/negotiate?negotiateVersion=1", UriKind.Relative), null);

        negotiation.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        var problem = await negotiation.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString()!.ShouldStartWith("The gateway got no answer from the api-gateway service");
    }
}
