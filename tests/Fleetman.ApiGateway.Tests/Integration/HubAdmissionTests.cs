using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleetman.ApiGateway.Tests.Integration;

/// <summary>The api-gateway hosted in-process with small admission limits and one extra allowed origin.</summary>
public sealed class AdmissionGateway : IAsyncLifetime
{
    public const int MaxConnections = 3;
    public const int NegotiateBurst = 4;
    public const string AllowedOrigin = "https://fleet.example";

    public IsolatedRun Run { get; private set; } = null!;

    public InProcessService<TrackerClientOptions> Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Run = await IsolatedRun.StartAsync();
        Gateway = await Run.HostAsync<TrackerClientOptions>(new Dictionary<string, string?>
        {
            ["Hub__AllowedOrigins__0"] = AllowedOrigin,
            ["Hub__MaxConnectionsPerClient"] = MaxConnections.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
            ["Hub__NegotiateBurst"] = NegotiateBurst.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
            ["Hub__NegotiatePermitsPerSecond"] = "1",
        });
    }

    public async Task DisposeAsync() => await Run.DisposeAsync();
}

/// <summary>
/// Who may open <c>/hubs/vehicles</c>: browsers from the hub's own origin or an allowed one, a bounded number of
/// connections and negotiations per client. Each test is its own client (an address the loopback "proxy" forwards),
/// so the tests do not share a client's limits.
/// </summary>
public sealed class HubAdmissionTests(AdmissionGateway admission) : IClassFixture<AdmissionGateway>
{
    private Uri HubUri => new(admission.Gateway.Address, "hubs/vehicles");

    private Uri WebSocketUri => new UriBuilder(HubUri) { Scheme = "ws" }.Uri;

    private string OwnOrigin => admission.Gateway.Address.GetLeftPart(UriPartial.Authority);

    [Fact]
    public async Task A_page_from_another_origin_is_refused_with_a_403_problem_on_negotiate_and_on_the_websocket()
    {
        using var negotiate = await NegotiateAsync("203.0.113.10", origin: "https://evil.example");
        negotiate.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        negotiate.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = JsonDocument.Parse(await negotiate.Content.ReadAsStringAsync()).RootElement;
        problem.GetProperty("type").GetString().ShouldNotBeNullOrEmpty();
        problem.GetProperty("detail").GetString()!.ShouldContain("https://evil.example");

        using var socket = RawHubSocket.Create("https://evil.example", forwardedFor: "203.0.113.10");
        await Should.ThrowAsync<WebSocketException>(() => socket.ConnectAsync(WebSocketUri, CancellationToken.None));
        socket.HttpStatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var opaque = await NegotiateAsync("203.0.113.10", origin: "null");
        opaque.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "a sandboxed page's origin is nobody's");
    }

    [Fact]
    public async Task A_page_from_the_hubs_own_origin_or_an_allowed_one_gets_the_websocket_and_the_snapshot()
    {
        foreach (var origin in new[] { OwnOrigin, AdmissionGateway.AllowedOrigin })
        {
            using var socket = RawHubSocket.Create(origin, forwardedFor: "203.0.113.20");
            await socket.ConnectAsync(WebSocketUri, CancellationToken.None);
            socket.HttpStatusCode.ShouldBe(HttpStatusCode.SwitchingProtocols, origin);
            (await RawHubSocket.HandshakeAndReadAsync(socket)).ShouldContain("\"target\":\"snapshot\"", Case.Sensitive, origin);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Behind_the_edge_the_origin_is_compared_with_the_host_and_scheme_the_edge_forwards()
    {
        // The edge sends the api-gateway's own address as Host and the browser's in X-Forwarded-Host and -Proto.
        using var socket = RawHubSocket.Create("https://map.example", forwardedFor: "203.0.113.30");
        socket.Options.SetRequestHeader("X-Forwarded-Host", "map.example");
        socket.Options.SetRequestHeader("X-Forwarded-Proto", "https");
        await socket.ConnectAsync(WebSocketUri, CancellationToken.None);
        (await RawHubSocket.HandshakeAndReadAsync(socket)).ShouldContain("\"target\":\"snapshot\"");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);

        using var elsewhere = await NegotiateAsync("203.0.113.30", origin: "https://map.example", forwardedHost: "other.example");
        elsewhere.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_client_without_an_Origin_header_is_not_a_browser_and_connects()
    {
        await using var client = await ConnectAsync("203.0.113.40");
        client.State.ShouldBe(HubConnectionState.Connected);
    }

    [Fact]
    public async Task The_connection_over_a_clients_cap_is_refused_at_negotiate_with_a_429_problem_and_closed_when_it_skips_negotiation()
    {
        const string client = "198.51.100.7";
        var open = new List<HubConnection>();
        try
        {
            for (var i = 0; i < AdmissionGateway.MaxConnections; i++)
            {
                open.Add(await ConnectAsync(client));
            }

            using var negotiate = await NegotiateAsync(client);
            negotiate.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            var problem = JsonDocument.Parse(await negotiate.Content.ReadAsStringAsync()).RootElement;
            problem.GetProperty("type").GetString().ShouldNotBeNullOrEmpty();
            problem.GetProperty("detail").GetString()!.ShouldContain($"At most {AdmissionGateway.MaxConnections} live connections");

            using var socket = RawHubSocket.Create(null, forwardedFor: client);
            await socket.ConnectAsync(WebSocketUri, CancellationToken.None);
            var close = await RawHubSocket.HandshakeAndReadAsync(socket);
            close.ShouldContain("\"type\":7", Case.Sensitive, "a close message");
            close.ShouldContain($"At most {AdmissionGateway.MaxConnections} live connections");

            await using (var other = await ConnectAsync("198.51.100.8"))
            {
                other.State.ShouldBe(HubConnectionState.Connected, "another client has its own cap");
            }

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            await Eventually.Until(async () =>
            {
                using var again = await NegotiateAsync(client);
                return again.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(10), () => Task.FromResult("a closed connection did not free its slot"));
        }
        finally
        {
            foreach (var connection in open)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_negotiate_flood_gets_429_problems_whose_Retry_After_lets_the_client_in_on_its_first_retry()
    {
        const string client = "192.0.2.9";
        HttpResponseMessage refused = null!;
        for (var i = 0; i <= AdmissionGateway.NegotiateBurst; i++)
        {
            refused = await NegotiateAsync(client);
            if (i < AdmissionGateway.NegotiateBurst)
            {
                refused.StatusCode.ShouldBe(HttpStatusCode.OK, $"negotiate {i + 1} of the burst");
                refused.Dispose();
            }
        }

        using (refused)
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString()
                .ShouldBe("https://tools.ietf.org/html/rfc6585#section-4");
            var retryAfter = refused.Headers.RetryAfter!.Delta!.Value;
            retryAfter.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1));

            using (var otherClient = await NegotiateAsync("192.0.2.10"))
            {
                otherClient.StatusCode.ShouldBe(HttpStatusCode.OK, "another client has its own bucket");
            }

            // Obeying the header is the behaviour under test: the wait is the server's answer, not a guess.
            await Task.Delay(retryAfter);
            using var retry = await NegotiateAsync(client);
            retry.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    private async Task<HttpResponseMessage> NegotiateAsync(string client, string? origin = null, string? forwardedHost = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(HubUri + "/negotiate?negotiateVersion=1"));
        request.Headers.Add("X-Forwarded-For", client);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (forwardedHost is not null)
        {
            request.Headers.Add("X-Forwarded-Host", forwardedHost);
            request.Headers.Add("X-Forwarded-Proto", "https");
        }

        return await admission.Gateway.Http.SendAsync(request);
    }

    /// <summary>Connects as <paramref name="client"/> and waits for the snapshot: the hub has counted the connection by then.</summary>
    private async Task<HubConnection> ConnectAsync(string client)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(HubUri, options => options.Headers["X-Forwarded-For"] = client)
            .Build();
        var snapshot = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<JsonElement>("snapshot", _ => snapshot.TrySetResult());
        await connection.StartAsync();
        await snapshot.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return connection;
    }
}
