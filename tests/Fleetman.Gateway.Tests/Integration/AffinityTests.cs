using System.Net.WebSockets;

namespace Fleetman.Gateway.Tests.Integration;

/// <summary>
/// Two api-gateway replicas: a browser's requests (SignalR's negotiation, then its WebSocket) stick to the replica
/// that answered first, through the affinity cookie, while new browsers go to the less busy replica.
/// </summary>
public sealed class AffinityTests : IAsyncLifetime
{
    private Backend _first = null!;
    private Backend _second = null!;
    private InProcessService<GatewayOptions> _gateway = null!;

    public async Task InitializeAsync()
    {
        _first = await Backend.StartAsync("replica-1");
        _second = await Backend.StartAsync("replica-2");
        var settings = GatewayHost.Settings();
        settings[GatewayHost.DestinationVariable("api-gateway", "d1")] = _first.Address;
        settings[GatewayHost.DestinationVariable("api-gateway", "d2")] = _second.Address;
        _gateway = await GatewayHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    [Fact]
    public async Task Requests_with_the_affinity_cookie_stick_to_their_replica_even_when_it_is_the_busier_one()
    {
        // Each browser is an HttpClient of its own, without a cookie jar: cookies are handled by hand to see them.
        using var browser = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = _gateway.Http.BaseAddress };

        // "Negotiation": the first answer names the replica and sets the cookie.
        using var negotiation = await browser.PostAsync(new Uri("/hubs/vehicles/negotiate?negotiateVersion=1", UriKind.Relative), null);
        var replica = (await RoutingTests.ReadEchoAsync(negotiation)).Backend;
        var cookie = negotiation.Headers.GetValues("Set-Cookie").Single(value => value.StartsWith("Fleetman.Affinity=", StringComparison.Ordinal));
        cookie.ShouldContain("httponly", Case.Insensitive);
        var affinity = cookie.Split(';')[0];

        // "Connect": the WebSocket with the cookie reaches the same replica, and keeps a request open there.
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", affinity);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_gateway.Address.Port}/hubs/vehicles?id=abc"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes("hello"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        (await RoutingTests.ReceiveAsync(socket)).ShouldBe($"{replica}: hello");

        // A new browser goes to the other replica, the one without an open connection (least requests)...
        using (var stranger = await browser.GetAsync(new Uri("/api/vehicles/", UriKind.Relative)))
        {
            (await RoutingTests.ReadEchoAsync(stranger)).Backend.ShouldNotBe(replica);
        }

        // ... but the browser with the cookie stays where it was.
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/vehicles/");
            request.Headers.Add("Cookie", affinity);
            using var response = await browser.SendAsync(request);
            (await RoutingTests.ReadEchoAsync(response)).Backend.ShouldBe(replica);
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task A_cookie_for_a_replica_that_is_gone_is_answered_by_another_one()
    {
        using var browser = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = _gateway.Http.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/vehicles/");
        request.Headers.Add("Cookie", "Fleetman.Affinity=0123456789abcdef");
        using var response = await browser.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await RoutingTests.ReadEchoAsync(response)).Backend.ShouldStartWith("replica-");
        response.Headers.GetValues("Set-Cookie").ShouldContain(value => value.StartsWith("Fleetman.Affinity=", StringComparison.Ordinal));
    }
}

/// <summary>
/// Destinations named by host name, resolved by the gateway itself (Kubernetes: the headless Service of the api-gateway
/// pods, one destination per pod).
/// </summary>
public sealed class DnsDestinationTests
{
    [Fact]
    public async Task Names_are_resolved_and_reached_and_one_without_an_address_yet_does_not_stop_the_start_but_answers_502()
    {
        await using var backend = await Backend.StartAsync("replica-1");
        var settings = GatewayHost.Settings();
        settings["Gateway__DestinationDnsRefreshSeconds"] = "1";
        settings[GatewayHost.DestinationVariable("api-gateway")] = new UriBuilder(backend.Address) { Host = "localhost" }.Uri.ToString();
        settings[GatewayHost.DestinationVariable("webapp")] = "http://fleetman-no-such-host.invalid/";
        await using var gateway = await GatewayHost.StartAsync(settings);

        using var api = await gateway.Http.GetAsync(new Uri("/api/vehicles/", UriKind.Relative));
        using var unresolved = await gateway.Http.GetAsync(new Uri("/", UriKind.Relative));

        api.StatusCode.ShouldBe(HttpStatusCode.OK);
        var echo = await RoutingTests.ReadEchoAsync(api);
        echo.Backend.ShouldBe("replica-1");
        echo.Path.ShouldBe("/api/vehicles/");
        unresolved.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
    }
}
