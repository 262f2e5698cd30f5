using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Fleetman.ServiceDefaults.Tests.Integration;

/// <summary>Spans and metrics leave the service by OTLP when an endpoint is configured.</summary>
public sealed class TelemetryExportTests
{
    [Fact]
    public async Task With_OTEL_EXPORTER_OTLP_ENDPOINT_spans_and_metrics_reach_the_collector()
    {
        await using var collector = await FakeCollector.StartAsync();
        using var source = new ActivitySource("Fleetman.Test.Tracing");
        using var meter = new Meter("Fleetman.Test.Otel");
        var things = meter.CreateCounter<long>("otel.things");
        IServiceCollection? services = null;
        await using var service = await TestService.StartAsync(
            new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_SERVICE_NAME"] = "otel-test-service",
            },
            configure: builder => services = builder.Services,
            map: app => app.MapGet("/ping", () =>
            {
                using var activity = source.StartActivity("fleetman-test-span");
                things.Add(1);
                return activity is null ? "not sampled" : "pong";
            }));

        (await service.Http.GetStringAsync(new Uri("/ping", UriKind.Relative))).ShouldBe("pong");
        await service.Http.GetStringAsync(new Uri("/healthz/live", UriKind.Relative));
        await service.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        service.App.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000).ShouldBeTrue();
        service.App.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000).ShouldBeTrue();

        services!.Where(OtlpExporter.Registers).ShouldNotBeEmpty();
        // OTLP/protobuf carries strings as UTF-8, so names can be found in the raw bodies.
        var traces = collector.Received("/v1/traces");
        traces.ShouldContain("otel-test-service");
        traces.ShouldContain("fleetman-test-span");
        // Server spans are named "{method} {route}". (The test's own HttpClient calls show up as client spans named "GET".)
        traces.ShouldContain("GET /ping");
        traces.ShouldNotContain("GET /healthz", customMessage: "probes are not traced");
        traces.ShouldNotContain("GET /metrics", customMessage: "scrapes are not traced");
        var metrics = collector.Received("/v1/metrics");
        metrics.ShouldContain("Fleetman.Test.Otel");
        metrics.ShouldContain("http.server.request.duration");
    }

    /// <summary>An OTLP/HTTP endpoint on loopback that keeps what it is sent.</summary>
    private sealed class FakeCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

        private FakeCollector()
        {
            var builder = WebApplication.CreateBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            _app = builder.Build();
            _app.MapPost("/v1/{signal}", async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                _received.Enqueue((request.Path, body.ToArray()));
                return Results.Bytes([], "application/x-protobuf");
            });
        }

        public string Url => _app.Urls.Single();

        public static async Task<FakeCollector> StartAsync()
        {
            var collector = new FakeCollector();
            await collector._app.StartAsync();
            return collector;
        }

        public string Received(string path) =>
            string.Concat(_received.Where(r => r.Path == path).Select(r => Encoding.UTF8.GetString(r.Body)));

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
