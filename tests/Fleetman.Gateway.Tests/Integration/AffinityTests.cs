using System.Net.WebSockets;

namespace Fleetman.Gateway.Tests.Integration;

/// <summary>
/// Two api-gateway replicas: a browser's hub requests (SignalR's negotiation, then its WebSocket) stick to the replica
/// that negotiated, through the affinity cookie, while new browsers go to the replica with fewer live connections. REST
/// calls are stateless and go to the replica with fewer calls in flight, cookie or not.
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
    public async Task Hub_requests_with_the_affinity_cookie_stick_to_their_replica_even_when_it_is_the_busier_one()
    {
        // Each browser is an HttpClient of its own, without a cookie jar: cookies are handled by hand to see them.
        using var browser = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = _gateway.Http.BaseAddress };

        // Negotiation: the first answer names the replica and sets the cookie.
        var (replica, affinity) = await NegotiateAsync(browser, cookie: null);
        var cookie = affinity.ShouldNotBeNull();

        // Connect: the WebSocket with the cookie reaches the same replica, and keeps a request open there.
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", cookie);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_gateway.Address.Port}/hubs/vehicles?id=abc"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes("hello"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        (await RoutingTests.ReceiveAsync(socket)).ShouldBe($"{replica}: hello");

        // A new browser negotiates with the other replica, the one without an open connection (least requests)...
        (await NegotiateAsync(browser, cookie: null)).Replica.ShouldNotBe(replica);

        // ... but the browser with the cookie stays where it was.
        for (var i = 0; i < 5; i++)
        {
            (await NegotiateAsync(browser, cookie)).Replica.ShouldBe(replica);
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task A_cookie_for_a_replica_that_is_gone_is_answered_by_another_one_and_replaced()
    {
        using var browser = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = _gateway.Http.BaseAddress };

        var (replica, affinity) = await NegotiateAsync(browser, "Fleetman.Affinity=0123456789abcdef");

        replica.ShouldStartWith("replica-");
        affinity.ShouldNotBeNull();
    }

    [Fact]
    public async Task REST_calls_ignore_the_affinity_cookie_set_none_and_go_to_the_replica_with_fewer_calls_in_flight()
    {
        using var browser = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = _gateway.Http.BaseAddress };
        var (_, affinity) = await NegotiateAsync(browser, cookie: null);
        var cookie = affinity.ShouldNotBeNull();

        // A call held at one replica, with the browser's cookie...
        var held = GetAsync(browser, "/api/vehicles/?hold", cookie);
        await Eventually.Until(() => _first.Held + _second.Held == 1, () => "the held call reached no replica");
        var busy = _first.Held == 1 ? _first : _second;

        // ... and the next one, with the same cookie, goes to the other replica.
        using (var next = await GetAsync(browser, "/api/vehicles/", cookie))
        {
            (await RoutingTests.ReadEchoAsync(next)).Backend.ShouldNotBe(busy.Name);
        }

        // A call without a cookie gets none.
        using (var plain = await GetAsync(browser, "/api/vehicles/", cookie: null))
        {
            plain.StatusCode.ShouldBe(HttpStatusCode.OK);
            plain.Headers.Contains("Set-Cookie").ShouldBeFalse();
        }

        busy.Release(1);
        using var first = await held;
        (await RoutingTests.ReadEchoAsync(first)).Backend.ShouldBe(busy.Name);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient browser, string path, string? cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return await browser.SendAsync(request);
    }

    /// <summary>A negotiation, with the affinity cookie if given: the replica that answered and the cookie it set, if any.</summary>
    private static async Task<(string Replica, string? Affinity)> NegotiateAsync(HttpClient browser, string? cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/vehicles/negotiate?negotiateVersion=1");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        using var response = await browser.SendAsync(request);
        var replica = (await RoutingTests.ReadEchoAsync(response)).Backend;
        var set = response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.SingleOrDefault(value => value.StartsWith("Fleetman.Affinity=", StringComparison.Ordinal))
            : null;
        set?.ShouldContain("httponly", Case.Insensitive);
        return (replica, set?.Split(';')[0]);
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
