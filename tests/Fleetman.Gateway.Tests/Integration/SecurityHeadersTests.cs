namespace Fleetman.Gateway.Tests.Integration;

/// <summary>What every response carries, and the request body limit.</summary>
public sealed class SecurityHeadersTests(LocalRunGateway gateway) : IClassFixture<LocalRunGateway>
{
    [Theory]
    [InlineData("/", "a static page")]
    [InlineData("/assets/app.js", "a static file")]
    [InlineData("/api/vehicles/", "a proxied answer")]
    [InlineData("/api/vehicles/Nobody?status=404", "a proxied error")]
    [InlineData("/assets/missing.js", "the gateway's own error")]
    [InlineData("/admin/simulator/status", "an admin challenge")]
    [InlineData("/healthz/ready", "a health check")]
    public async Task Every_response_carries_the_security_headers_and_no_server_header(string path, string what)
    {
        using var response = await gateway.Http.GetAsync(new Uri(path, UriKind.Relative));

        var headers = response.Headers;
        headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"], what);
        headers.GetValues("X-Frame-Options").ShouldBe(["DENY"], what); // the backend's SAMEORIGIN replaced
        headers.GetValues("Referrer-Policy").ShouldBe(["no-referrer"], what);
        headers.GetValues("Permissions-Policy").Single().ShouldContain("geolocation=()", customMessage: what);
        headers.GetValues("Content-Security-Policy").Single().ShouldContain("frame-ancestors 'none'", customMessage: what);
        headers.Contains("Server").ShouldBeFalse($"{what} names no server, though the backends are Kestrel");
        headers.Contains("Strict-Transport-Security").ShouldBeFalse("HSTS only over HTTPS");
    }

    [Fact]
    public async Task The_content_security_policy_fits_a_leaflet_map_with_the_configured_tile_servers()
    {
        using var response = await gateway.Http.GetAsync(new Uri("/", UriKind.Relative));

        var directives = Directives(response);
        directives["default-src"].ShouldBe("'self'");
        directives["script-src"].ShouldBe("'self'");
        directives["img-src"].ShouldBe("'self' data: " + LocalRunGateway.TileSources);
        directives["connect-src"].ShouldBe("'self'");
        directives["object-src"].ShouldBe("'none'");
        directives["frame-ancestors"].ShouldBe("'none'");
    }

    [Theory]
    [InlineData(64 * 1024, false, true)]
    [InlineData((64 * 1024) + 1, false, false)]
    // Streamed bodies are counted as they arrive (Kestrel counts a little of the chunk framing too: no exact boundary).
    [InlineData(32 * 1024, true, true)]
    [InlineData(128 * 1024, true, false)]
    public async Task A_body_over_the_limit_is_a_413_problem_whether_its_length_is_announced_or_streamed(int size, bool streamed, bool accepted)
    {
        using var content = new ByteArrayContent(new byte[size]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/vehicles/") { Content = content };
        request.Headers.TransferEncodingChunked = streamed;
        using var response = await gateway.Http.SendAsync(request);

        if (accepted)
        {
            (await RoutingTests.ReadEchoAsync(response)).BodyLength.ShouldBe(size);
            return;
        }

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("65536 bytes");
    }

    internal static Dictionary<string, string> Directives(HttpResponseMessage response) =>
        response.Headers.GetValues("Content-Security-Policy").Single()
            .Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(directive => directive.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "");
}

/// <summary>The default content security policy, with OpenStreetMap's tiles.</summary>
public sealed class DefaultContentSecurityPolicyTests(DeploymentGateway gateway) : IClassFixture<DeploymentGateway>
{
    [Fact]
    public async Task Images_may_come_from_openstreetmap_tile_servers()
    {
        using var response = await gateway.Http.GetAsync(new Uri("/", UriKind.Relative));

        SecurityHeadersTests.Directives(response)["img-src"].ShouldBe("'self' data: https://*.tile.openstreetmap.org");
    }
}
