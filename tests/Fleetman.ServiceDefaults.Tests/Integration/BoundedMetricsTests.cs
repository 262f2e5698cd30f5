using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Fleetman.ServiceDefaults.Tests.Integration;

/// <summary>What a client can add to <c>/metrics</c>: nothing it invents, and nothing at all through a public port.</summary>
public sealed class BoundedMetricsTests
{
    [Fact]
    public async Task Two_hundred_requests_with_invented_methods_are_501_problems_and_add_no_series()
    {
        await using var service = await TestService.StartAsync(map: app => app.MapGet("/bounded", () => "pong"));
        (await service.Http.GetStringAsync(new Uri("/bounded", UriKind.Relative))).ShouldBe("pong");

        for (var i = 0; i < 200; i++)
        {
            using var request = new HttpRequestMessage(new HttpMethod($"M{i}X"), i % 2 == 0 ? "/bounded" : $"/invented/{i}");
            using var response = await service.Http.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.NotImplemented);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            problem.GetProperty("type").GetString().ShouldBe("https://tools.ietf.org/html/rfc9110#section-15.6.2");
        }

        var metrics = await service.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        // The registry is the process's, shared with other tests: every method label in it must be one HTTP defines.
        MethodLabels(metrics).ShouldBeSubsetOf(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT"]);
        metrics.ShouldNotContain("/invented");
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Methods_http_defines_still_reach_the_service(string method)
    {
        await using var service = await TestService.StartAsync(map: app => app.MapMethods("/any", [method], () => Results.NoContent()));
        using var response = await service.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/any"));
        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task With_a_management_port_metrics_are_answered_there_only_whatever_host_the_client_names()
    {
        var port = FreePort();
        await using var service = await TestService.StartAsync(
            settings: new Dictionary<string, string?> { ["Management:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            map: app => app.MapGet("/own", () => "pong"));
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using (var scrape = await management.GetAsync(new Uri("/metrics", UriKind.Relative)))
        {
            scrape.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await scrape.Content.ReadAsStringAsync()).ShouldContain("process_cpu_seconds_total");
        }

        (await management.GetAsync(new Uri("/healthz/live", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await management.GetAsync(new Uri("/own", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Host = $"127.0.0.1:{port}";
        using var onPublicPort = await service.Http.SendAsync(request);
        onPublicPort.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        onPublicPort.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await service.Http.GetStringAsync(new Uri("/own", UriKind.Relative))).ShouldBe("pong");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static HashSet<string> MethodLabels(string metrics) =>
        [.. System.Text.RegularExpressions.Regex.Matches(metrics, "method=\"([^\"]*)\"").Select(match => match.Groups[1].Value)];
}
