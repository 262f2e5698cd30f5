namespace Fleetman.Gateway.Tests.Integration;

/// <summary>
/// The edge as deployments run it: its public port, and a management port (<c>Management__Port</c>) that only the
/// platform's Prometheus reaches. What a stranger on the public port can do to its metrics: nothing.
/// </summary>
[Collection(ProcessWideMetrics.Name)]
public sealed class EdgeMetricsTests : IAsyncLifetime
{
    private static readonly string[] HttpMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT"];

    private Backend _api = null!;
    private InProcessService<GatewayOptions> _gateway = null!;
    private int _managementPort;

    public async Task InitializeAsync()
    {
        _api = await Backend.StartAsync("api");
        _managementPort = BrokerInstance.FreePort();
        var settings = GatewayHost.Settings();
        settings[GatewayHost.DestinationVariable("api-gateway")] = _api.Address;
        settings["Management__Port"] = _managementPort.ToString(CultureInfo.InvariantCulture);
        _gateway = await GatewayHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Two_hundred_requests_with_invented_methods_are_refused_at_the_edge_and_do_not_grow_its_metrics()
    {
        using var management = Management();
        // Warm up the series every edge has (a proxied request, a scrape), then measure.
        (await _gateway.Http.GetAsync(new Uri("/api/vehicles/", UriKind.Relative))).Dispose();
        (await management.GetStringAsync(new Uri("/metrics", UriKind.Relative))).ShouldNotBeEmpty();
        var before = Series(await management.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

        for (var i = 0; i < 200; i++)
        {
            using var request = new HttpRequestMessage(new HttpMethod($"M{i}X"), i % 2 == 0 ? "/hubs/vehicles" : "/api/vehicles/");
            using var response = await _gateway.Http.SendAsync(request);
            // 501 from the edge itself: a forwarded request would have been the backend's echo.
            response.StatusCode.ShouldBe(HttpStatusCode.NotImplemented);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            problem.GetProperty("type").GetString().ShouldBe("https://tools.ietf.org/html/rfc9110#section-15.6.2");
        }

        var after = await management.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Regex.Matches(after, "method=\"([^\"]*)\"").Select(match => match.Groups[1].Value).Distinct().ShouldBeSubsetOf(HttpMethods);
        Series(after).Except(before).Where(series => series.StartsWith("http_", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Fact]
    public async Task The_public_port_does_not_answer_metrics_and_the_management_port_answers_nothing_else()
    {
        using var management = Management();
        using var onPublicPort = await _gateway.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
        onPublicPort.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        onPublicPort.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        (await management.GetStringAsync(new Uri("/metrics", UriKind.Relative))).ShouldContain("http_requests_received_total");
        (await management.GetAsync(new Uri("/api/vehicles/", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private HttpClient Management() => new() { BaseAddress = new Uri($"http://127.0.0.1:{_managementPort}") };

    // The series of a scrape, without their values; histogram buckets are left out (a new one per observed bucket is bounded).
    private static HashSet<string> Series(string metrics) =>
        [.. metrics.Split('\n').Where(line => line.Length > 0 && line[0] != '#' && !line.Contains("_bucket{", StringComparison.Ordinal))
            .Select(line => line[..line.LastIndexOf(' ')])];
}

/// <summary>
/// Prometheus' default registry is process-wide, shared by every gateway hosted in the test process: tests that count
/// its series run alone, so the series they see are their own requests'.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMetrics
{
    public const string Name = "Process-wide metrics";
}
