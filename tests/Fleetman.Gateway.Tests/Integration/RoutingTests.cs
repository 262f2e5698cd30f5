using System.Net.WebSockets;

namespace Fleetman.Gateway.Tests.Integration;

/// <summary>Where the gateway sends each request, and what the backend sees of it.</summary>
public sealed class RoutingTests(LocalRunGateway gateway) : IClassFixture<LocalRunGateway>
{
    [Theory]
    [InlineData("GET", "/api/vehicles/", "")]
    [InlineData("GET", "/api/history/City%20Van", "?limit=10&from=2026-01-01T00%3A00%3A00Z")]
    [InlineData("POST", "/hubs/vehicles/negotiate", "?negotiateVersion=1")]
    public async Task Api_and_hub_requests_reach_the_api_gateway_with_path_and_query_unchanged(string method, string path, string query)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path + query);
        using var response = await gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var echo = await ReadEchoAsync(response);
        echo.Backend.ShouldBe("api");
        echo.Method.ShouldBe(method);
        echo.Path.ShouldBe(Uri.UnescapeDataString(path));
        echo.Query.ShouldBe(query);
    }

    [Theory]
    [InlineData("GET", "/admin/simulator/status", "/simulator/status")]
    [InlineData("POST", "/admin/simulator/start", "/simulator/start")]
    [InlineData("PUT", "/admin/simulator/settings", "/simulator/settings")]
    public async Task Admin_simulator_routes_reach_the_simulator_under_simulator_with_the_admin_credentials(string method, string path, string backendPath)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : JsonContent.Create(new { vehicles = 3 }) };
        request.Headers.Authorization = GatewayHost.Admin;
        using var response = await gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var echo = await ReadEchoAsync(response);
        echo.Backend.ShouldBe("simulator");
        echo.Method.ShouldBe(method);
        echo.Path.ShouldBe(backendPath);
        // The simulator checks the same credentials itself: both doors are locked.
        echo.Header("Authorization").ShouldBe(GatewayHost.Admin.ToString());
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Geofence_changes_reach_the_api_gateway_with_their_body_and_the_admin_credentials(string method)
    {
        // The api-gateway checks the credentials on its geofence routes itself, so /api/… passes them on as they came.
        using var request = new HttpRequestMessage(new HttpMethod(method), "/api/geofences/Depot")
        {
            Content = method == "PUT" ? JsonContent.Create(new { ring = new[] { new[] { 53.38, -1.471 }, [53.38, -1.469], [53.382, -1.469] } }) : null,
        };
        request.Headers.Authorization = GatewayHost.Admin;
        using var response = await gateway.Http.SendAsync(request);

        var echo = await ReadEchoAsync(response);
        (echo.Backend, echo.Method, echo.Path).ShouldBe(("api", method, "/api/geofences/Depot"));
        echo.Header("Authorization").ShouldBe(GatewayHost.Admin.ToString());
        (echo.BodyLength > 0).ShouldBe(method == "PUT");
    }

    [Fact]
    public async Task The_street_network_reaches_the_simulator_without_credentials_and_only_for_get()
    {
        using var response = await gateway.Http.GetAsync(new Uri("/api/streets", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var echo = await ReadEchoAsync(response);
        echo.Backend.ShouldBe("simulator");
        echo.Method.ShouldBe("GET");
        echo.Path.ShouldBe("/simulator/streets");

        // Any other method is not the simulator's: it falls to the api route.
        using var post = await gateway.Http.PostAsync(new Uri("/api/streets", UriKind.Relative), null);
        (await ReadEchoAsync(post)).Backend.ShouldBe("api");
    }

    [Fact]
    public async Task A_websocket_through_hubs_is_upgraded_and_echoes_messages()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Gateway.Address.Port}/hubs/vehicles?id=abc"), CancellationToken.None);

        foreach (var message in new[] { "hello", "second message" })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            (await ReceiveAsync(socket)).ShouldBe($"api: {message}");
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task The_backend_learns_the_client_from_forwarded_headers_and_an_untrusted_client_cannot_spoof_them()
    {
        using var response = await GetForwardedAsync(gateway.Http, "203.0.113.9");

        var echo = await ReadEchoAsync(response);
        echo.Header("X-Forwarded-For").ShouldBe("127.0.0.1");
        echo.Header("X-Forwarded-Proto").ShouldBe("http");
        echo.Header("X-Forwarded-Host").ShouldBe($"127.0.0.1:{gateway.Gateway.Address.Port}");
    }

    [Fact]
    public async Task A_backend_answer_without_a_body_passes_through_unchanged()
    {
        using var response = await gateway.Http.GetAsync(new Uri("/api/vehicles/Nobody?status=404", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unreachable_backend_is_a_502_problem_naming_its_cluster()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/activemq/queues.jsp");
        request.Headers.Authorization = GatewayHost.Admin;
        using var response = await gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString()!.ShouldContain("activemq-console");
    }

    /// <summary>GET /api/vehicles/ with the headers a proxy in front would add: the client it saw and HTTPS.</summary>
    internal static async Task<HttpResponseMessage> GetForwardedAsync(HttpClient http, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/vehicles/");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        request.Headers.Add("X-Forwarded-Proto", "https");
        return await http.SendAsync(request);
    }

    internal static async Task<Echo> ReadEchoAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue($"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<Echo>(body, JsonSerializerOptions.Web).ShouldNotBeNull();
    }

    internal static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[4 * 1024];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        received.EndOfMessage.ShouldBeTrue();
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }
}
