namespace Fleetman.Gateway.Tests.Integration;

/// <summary>
/// <c>/api</c> requests per client IP: a burst of 60, refilled one permit a second,
/// behind a trusted proxy (loopback) so each test is its own client through X-Forwarded-For.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private const int PermitsPerWindow = 60;
    private Backend _api = null!;
    private string _webapp = null!;
    private InProcessService<GatewayOptions> _gateway = null!;

    public async Task InitializeAsync()
    {
        _api = await Backend.StartAsync("api");
        _webapp = GatewayHost.CreateWebappFolder();
        var settings = GatewayHost.Settings();
        settings[GatewayHost.DestinationVariable("api-gateway")] = _api.Address;
        settings["Webapp__Root"] = _webapp;
        settings["Gateway__TrustedProxies"] = "127.0.0.1, ::1";
        settings["Gateway__AdminPassword"] = GatewayHost.AdminPassword;
        settings["Gateway__ApiRateLimit__PermitsPerSecond"] = "1";
        settings["Gateway__ApiRateLimit__WindowSeconds"] = "60";
        _gateway = await GatewayHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _api.DisposeAsync();
        Directory.Delete(_webapp, recursive: true);
    }

    [Fact]
    public async Task More_api_requests_than_the_burst_permits_are_429_problems_with_a_type_and_retry_after()
    {
        var (granted, refused) = await ExhaustAsync("198.51.100.1");
        using (refused)
        {
            // The bucket refills one permit a second, so a slow run may have been granted a few more.
            granted.ShouldBeGreaterThanOrEqualTo(PermitsPerWindow);
            // The next permit comes within a second, plus up to the limiter's 100 ms refill heartbeat: 1.1 s, rounded up.
            int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture).ShouldBe(2);
            refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            problem.GetProperty("status").GetInt32().ShouldBe(429);
            problem.GetProperty("type").GetString().ShouldBe("https://tools.ietf.org/html/rfc6585#section-4");
            problem.GetProperty("detail").GetString()!.ShouldContain("60 API requests per 60 s");
        }
    }

    [Fact]
    public async Task A_client_that_waits_as_long_as_retry_after_says_gets_in_on_its_first_retry()
    {
        const string client = "198.51.100.6";
        var (_, refused) = await ExhaustAsync(client);
        int seconds;
        using (refused)
        {
            seconds = int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        }

        // Obeying the header is the behaviour under test, so the wait is the header's, not a guess.
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        using var retry = await SendAsync("/api/vehicles/", client);
        retry.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_limited_client_still_gets_the_page_its_files_and_health_and_other_clients_the_api()
    {
        const string client = "198.51.100.2";
        (await ExhaustAsync(client)).Refused.Dispose();

        (await SendAsync("/hubs/vehicles/negotiate", client)).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var path in new[] { "/", "/assets/app.js", "/vehicles/City%20Van", "/healthz/live", "/healthz/ready" })
        {
            (await SendAsync(path, client)).StatusCode.ShouldBe(HttpStatusCode.OK, path);
        }

        (await SendAsync("/api/vehicles/", client: "198.51.100.3")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await SendAsync("/api/vehicles/", client: "2001:db8:1:2::3")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_ipv6_client_is_counted_by_its_64_bit_prefix()
    {
        for (var i = 0; i < PermitsPerWindow; i++)
        {
            using var response = await SendAsync("/api/vehicles/", client: $"2001:db8:5:6::{i + 1:x}");
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // Another address of the same /64 shares its bucket, emptied above: it gets only what refilled meanwhile
        // (one a second), not a burst of its own.
        var (granted, refused) = await ExhaustAsync("2001:db8:5:6:ffff::1");
        refused.Dispose();
        granted.ShouldBeLessThan(PermitsPerWindow / 2);
        (await SendAsync("/api/vehicles/", client: "2001:db8:5:7::1")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Admin_routes_are_limited_too_so_passwords_cannot_be_guessed_quickly()
    {
        const string client = "198.51.100.5";
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= PermitsPerWindow * 2 && !statuses.Contains(HttpStatusCode.TooManyRequests); i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/simulator/status");
            request.Headers.Add("X-Forwarded-For", client);
            request.Headers.Authorization = GatewayHost.Basic("admin", $"guess number {i}");
            using var response = await _gateway.Http.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        statuses[^1].ShouldBe(HttpStatusCode.TooManyRequests);
        statuses.Count(status => status == HttpStatusCode.Unauthorized).ShouldBeGreaterThanOrEqualTo(PermitsPerWindow);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_backend_learns_the_client_from_x_forwarded_for()
    {
        using var response = await RoutingTests.GetForwardedAsync(_gateway.Http, "192.0.2.50, 198.51.100.4");

        var echo = await RoutingTests.ReadEchoAsync(response);
        echo.Header("X-Forwarded-For").ShouldBe("198.51.100.4", "the proxy is trusted, the address it was given by is not");
        echo.Header("X-Forwarded-Proto").ShouldBe("https");
        response.Headers.GetValues("Strict-Transport-Security").Single().ShouldStartWith("max-age=");
    }

    /// <summary>Spends a client's burst: the requests granted, and the first refusal.</summary>
    private async Task<(int Granted, HttpResponseMessage Refused)> ExhaustAsync(string client)
    {
        for (var granted = 0; granted <= PermitsPerWindow * 2; granted++)
        {
            var response = await SendAsync("/api/vehicles/", client);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return (granted, response);
            }

            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Dispose();
        }

        throw new ShouldAssertException($"{client} was never refused");
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string client)
    {
        using var request = new HttpRequestMessage(path.StartsWith("/hubs", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", client);
        return await _gateway.Http.SendAsync(request);
    }
}
