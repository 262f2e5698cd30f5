using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fleetman.Testing;

namespace Fleetman.Gateway.Tests.System;

/// <summary>
/// <c>/api</c> requests per client IP, with a window long enough that no test run can outlast it (60 permits in 60 s),
/// behind a trusted proxy (loopback) so each test is its own client through X-Forwarded-For.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private const int PermitsPerWindow = 60;
    private Backend _api = null!;
    private string _webapp = null!;
    private ServiceProcess _gateway = null!;

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
    public async Task More_api_requests_than_the_window_permits_are_429_problems_with_retry_after()
    {
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < PermitsPerWindow + 10; i++)
        {
            var response = await SendAsync("/api/vehicles/", client: "198.51.100.1");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused?.Dispose();
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        statuses.Count(status => status == HttpStatusCode.OK).ShouldBe(PermitsPerWindow);
        statuses.Count(status => status == HttpStatusCode.TooManyRequests).ShouldBe(10);
        using (refused)
        {
            refused.ShouldNotBeNull();
            int.Parse(refused.Headers.GetValues("Retry-After").Single(), global::System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(1, 60);
            refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            problem.GetProperty("status").GetInt32().ShouldBe(429);
            problem.GetProperty("detail").GetString()!.ShouldContain("60 API requests per 60 s");
        }
    }

    [Fact]
    public async Task A_limited_client_still_gets_the_page_its_files_and_health_and_other_clients_the_api()
    {
        const string client = "198.51.100.2";
        for (var i = 0; i <= PermitsPerWindow; i++)
        {
            (await SendAsync("/api/vehicles/", client)).Dispose();
        }

        (await SendAsync("/api/vehicles/", client)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
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
            (await SendAsync("/api/vehicles/", client: $"2001:db8:5:6::{i + 1:x}")).Dispose();
        }

        (await SendAsync("/api/vehicles/", client: "2001:db8:5:6:ffff::1")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await SendAsync("/api/vehicles/", client: "2001:db8:5:7::1")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Admin_routes_are_limited_too_so_passwords_cannot_be_guessed_quickly()
    {
        const string client = "198.51.100.5";
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= PermitsPerWindow; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/simulator/status");
            request.Headers.Add("X-Forwarded-For", client);
            request.Headers.Authorization = GatewayHost.Basic("admin", $"guess number {i}");
            using var response = await _gateway.Http.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        statuses.Count(status => status == HttpStatusCode.Unauthorized).ShouldBe(PermitsPerWindow);
        statuses[^1].ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_backend_learns_the_client_from_x_forwarded_for()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/vehicles/");
        request.Headers.Add("X-Forwarded-For", "192.0.2.50, 198.51.100.4");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await _gateway.Http.SendAsync(request);

        var echo = await RoutingTests.ReadEchoAsync(response);
        echo.Header("X-Forwarded-For").ShouldBe("198.51.100.4", "the proxy is trusted, the address it was given by is not");
        echo.Header("X-Forwarded-Proto").ShouldBe("https");
        response.Headers.GetValues("Strict-Transport-Security").Single().ShouldStartWith("max-age=");
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string client)
    {
        using var request = new HttpRequestMessage(path.StartsWith("/hubs", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", client);
        return await _gateway.Http.SendAsync(request);
    }
}
