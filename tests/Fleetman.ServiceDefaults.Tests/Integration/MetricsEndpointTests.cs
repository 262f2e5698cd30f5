using System.Diagnostics.Metrics;

namespace Fleetman.ServiceDefaults.Tests.Integration;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_expose_process_runtime_http_request_and_custom_meter_metrics()
    {
        using var meter = new Meter("Fleetman.Test");
        var things = meter.CreateCounter<long>("things", description: "Things the test did.");
        await using var service = await TestService.StartAsync(map: app => app.MapGet("/counted", () => "pong"));

        (await service.Http.GetStringAsync(new Uri("/counted", UriKind.Relative))).ShouldBe("pong");
        // Counted although no scrape has happened yet (prometheus-net would otherwise start listening at the first scrape).
        things.Add(3);
        // The meter adapter hands measurements over to prometheus-net's registry on its own schedule: read until the
        // counter is there.
        HttpResponseMessage response = null!;
        var metrics = "";
        await Eventually.Until(
            async () =>
            {
                response = await service.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
                metrics = await response.Content.ReadAsStringAsync();
                return metrics.Contains("\nfleetman_test_things 3\n", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(10),
            () => Task.FromResult($"no fleetman_test_things 3 in /metrics:\n{metrics}"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        // prometheus-net's process and .NET collectors.
        metrics.ShouldContain("\nprocess_cpu_seconds_total ");
        metrics.ShouldContain("\nprocess_working_set_bytes ");
        metrics.ShouldContain("\ndotnet_collection_count_total{generation=\"0\"} ");
        // The runtime's own "System.Runtime" meter.
        metrics.ShouldContain("\nsystem_runtime_dotnet_gc_heap_total_allocated ");
        metrics.ShouldContain("\nsystem_runtime_dotnet_thread_pool_thread_count ");
        // UseHttpMetrics, labelled with the endpoint. (The registry is process-wide: no other test maps "/counted".)
        metrics.ShouldContain("\nhttp_requests_received_total{code=\"200\",method=\"GET\",controller=\"\",action=\"\",endpoint=\"/counted\"} 1\n");
        // A System.Diagnostics.Metrics Counter is published as a gauge named "{meter}_{instrument}" in snake case, without "_total".
        metrics.ShouldContain("\n# TYPE fleetman_test_things gauge\nfleetman_test_things 3\n",
            customMessage: string.Join(" | ", metrics.Split('\n').Where(line => line.Contains("fleetman_test", StringComparison.Ordinal))));
        // Per-request meters of ASP.NET Core are left out (http_requests_received_total above says the same): each would
        // cost every request a measurement.
        metrics.ShouldNotContain("microsoft_aspnetcore_hosting_");
        metrics.ShouldNotContain("microsoft_aspnetcore_routing_");
    }

    [Fact]
    public async Task A_project_histogram_is_exported_in_the_buckets_it_advises_and_one_without_advice_in_the_defaults()
    {
        using var meter = new Meter("Fleetman.BucketTest");
        var advised = meter.CreateHistogram<double>("advised", unit: null, "A histogram with buckets of its own.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [10, 150] });
        var plain = meter.CreateHistogram<double>("plain", unit: null, "A histogram without advice.");
        await using var service = await TestService.StartAsync();

        advised.Record(120);
        plain.Record(120);
        var metrics = "";
        await Eventually.Until(
            async () =>
            {
                metrics = await service.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                return metrics.Contains("\nfleetman_buckettest_advised_count 1\n", StringComparison.Ordinal)
                    && metrics.Contains("\nfleetman_buckettest_plain_count 1\n", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(10),
            () => Task.FromResult($"no fleetman_buckettest_*_count 1 in /metrics:\n{metrics}"));

        metrics.ShouldContain("\nfleetman_buckettest_advised_bucket{le=\"10\"} 0\n");
        metrics.ShouldContain("\nfleetman_buckettest_advised_bucket{le=\"150\"} 1\n");
        metrics.ShouldNotContain("fleetman_buckettest_advised_bucket{le=\"163.84\"}");
        // The exporter's defaults (×4 from 0.04): 120 lies under 163.84.
        metrics.ShouldContain("\nfleetman_buckettest_plain_bucket{le=\"163.84\"} 1\n");
        metrics.ShouldNotContain("fleetman_buckettest_plain_bucket{le=\"150\"}");
    }
}
