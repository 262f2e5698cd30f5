namespace Fleetman.Gateway.Tests.Integration;

/// <summary>The webapp served from a folder (<c>Webapp:Root</c>), as in the local run.</summary>
public sealed class WebappFilesTests(LocalRunGateway gateway) : IClassFixture<LocalRunGateway>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    public async Task The_page_is_the_folders_index_html_never_cached_unasked(string path) => await ShouldServeThePageAsync(path);

    [Theory]
    [InlineData("/assets/app.js", "text/javascript", "console.log('fleetman');\n")]
    [InlineData("/assets/app.css", "text/css", "body { margin: 0; }\n")]
    public async Task Hashed_assets_are_served_with_their_content_type_and_cached_for_a_year_without_asking_again(string path, string contentType, string content)
    {
        using var response = await gateway.Http.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe(contentType);
        response.Headers.CacheControl!.ToString().ShouldBe("public, max-age=31536000, immutable");
        (await response.Content.ReadAsStringAsync()).ShouldBe(content);
    }

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("br;q=0, gzip", "gzip")]
    public async Task An_asset_with_compressed_copies_goes_as_the_copy_the_browser_accepts_with_the_files_type(string accepted, string expected)
    {
        using var response = await GetAssetAsync("/assets/app.js", accepted);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentEncoding.ShouldBe([expected]);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript");
        response.Headers.Vary.ShouldContain("Accept-Encoding");
        response.Headers.CacheControl!.ToString().ShouldBe("public, max-age=31536000, immutable");
        var wire = await response.Content.ReadAsByteArrayAsync();
        wire.ShouldBe(GatewayHost.Compress(GatewayHost.AppJs, expected), "the build's copy, not one compressed by the gateway");
        Encoding.UTF8.GetString(GatewayHost.Decompress(wire, expected)).ShouldBe(GatewayHost.AppJs);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData("br;q=0, gzip;q=0")]
    public async Task An_asset_goes_as_it_is_to_a_browser_that_accepts_neither_copy(string? accepted)
    {
        using var response = await GetAssetAsync("/assets/app.js", accepted);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentEncoding.ShouldBeEmpty();
        response.Headers.Vary.ShouldContain("Accept-Encoding");
        (await response.Content.ReadAsStringAsync()).ShouldBe(GatewayHost.AppJs);
    }

    [Fact]
    public async Task An_asset_without_compressed_copies_goes_as_it_is()
    {
        using var response = await GetAssetAsync("/assets/app.css", "br, gzip");

        response.Content.Headers.ContentEncoding.ShouldBeEmpty();
        response.Headers.Vary.ShouldNotContain("Accept-Encoding");
        (await response.Content.ReadAsStringAsync()).ShouldBe("body { margin: 0; }\n");
    }

    [Theory]
    [InlineData("/vehicles/City%20Van")]
    [InlineData("/follow")]
    public async Task Other_paths_fall_back_to_the_single_page(string path) => await ShouldServeThePageAsync(path);

    [Fact]
    public async Task A_missing_file_is_a_404_problem_not_the_page()
    {
        using var response = await gateway.Http.GetAsync(new Uri("/assets/missing.js", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Health_and_metrics_are_the_gateways_own()
    {
        (await gateway.Http.GetAsync(new Uri("/healthz/live", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await gateway.Http.GetAsync(new Uri("/healthz/ready", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var metrics = await gateway.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        metrics.ShouldContain("http_requests_received_total");
    }

    private async Task<HttpResponseMessage> GetAssetAsync(string path, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.AcceptEncoding.ParseAdd(acceptEncoding);
        }

        return await gateway.Http.SendAsync(request);
    }

    // The single page, as the page itself and any path of the app answer: never cached without asking again, so a new
    // release is what the next visit loads.
    private async Task ShouldServeThePageAsync(string path)
    {
        using var response = await gateway.Http.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        response.Headers.CacheControl!.NoCache.ShouldBeTrue();
        (await response.Content.ReadAsStringAsync()).ShouldBe(GatewayHost.IndexHtml);
    }
}

/// <summary>The webapp in its own container, reached through the <c>webapp</c> cluster, as in deployments.</summary>
public sealed class WebappClusterTests(DeploymentGateway gateway) : IClassFixture<DeploymentGateway>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/assets/app.js")]
    [InlineData("/vehicles/City%20Van")]
    public async Task Every_path_without_a_route_of_its_own_goes_to_the_webapp(string path)
    {
        using var response = await gateway.Http.GetAsync(new Uri(path, UriKind.Relative));

        var echo = await RoutingTests.ReadEchoAsync(response);
        echo.Backend.ShouldBe("webapp");
        echo.Path.ShouldBe(Uri.UnescapeDataString(path));
    }

    [Fact]
    public async Task The_gateways_own_endpoints_are_not_sent_to_the_webapp()
    {
        using var response = await gateway.Http.GetAsync(new Uri("/healthz/live", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("\"status\":\"Healthy\"");
    }
}
