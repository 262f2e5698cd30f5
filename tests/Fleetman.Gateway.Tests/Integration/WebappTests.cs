namespace Fleetman.Gateway.Tests.Integration;

/// <summary>The webapp served from a folder (<c>Webapp:Root</c>), as in the local run.</summary>
public sealed class WebappFilesTests(LocalRunGateway gateway) : IClassFixture<LocalRunGateway>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    public async Task The_page_is_the_folders_index_html_never_cached_unasked(string path)
    {
        using var response = await gateway.Http.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        response.Headers.CacheControl!.NoCache.ShouldBeTrue();
        (await response.Content.ReadAsStringAsync()).ShouldBe(GatewayHost.IndexHtml);
    }

    [Theory]
    [InlineData("/assets/app.js", "text/javascript", "console.log('fleetman');\n")]
    [InlineData("/assets/app.css", "text/css", "body { margin: 0; }\n")]
    public async Task Files_are_served_with_their_content_type(string path, string contentType, string content)
    {
        using var response = await gateway.Http.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe(contentType);
        (await response.Content.ReadAsStringAsync()).ShouldBe(content);
    }

    [Theory]
    [InlineData("/vehicles/City%20Van")]
    [InlineData("/follow")]
    public async Task Other_paths_fall_back_to_the_single_page(string path)
    {
        using var response = await gateway.Http.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe(GatewayHost.IndexHtml);
        response.Headers.CacheControl!.NoCache.ShouldBeTrue();
    }

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
