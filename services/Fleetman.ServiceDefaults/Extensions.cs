using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;

namespace Fleetman.ServiceDefaults;

/// <summary>
/// What every Fleetman service is made of: JSON logs, OpenTelemetry, health checks, /metrics.
/// <code>
/// builder.AddServiceDefaults();   // before the service's own parts
/// app.MapDefaultEndpoints();      // before the service's own endpoints
/// </code>
/// </summary>
public static class Extensions
{
    /// <summary>Tag of health checks that say the process is alive (<c>/healthz/live</c>). Only "self" has it.</summary>
    public const string LiveTag = "live";

    /// <summary>Tag of health checks that say the service can do its work (<c>/healthz/ready</c>): broker, store, Redis.</summary>
    public const string ReadyTag = "ready";

    // The project's own ActivitySources and Meters are named "Fleetman.Something" ("Fleetman.Messaging", ...).
    private const string TelemetryPrefix = "Fleetman.";

    private static readonly Lock MeterAdapterLock = new();
    private static bool _meterAdapterStarted;
    private const string LivePath = "/healthz/live";
    private const string ReadyPath = "/healthz/ready";
    private const string MetricsPath = "/metrics";

    /// <summary>
    /// Adds JSON logs on stdout, OpenTelemetry tracing and metrics, and the "self" liveness check.
    /// Call it after configuration sources are added: it reads <c>OTEL_SERVICE_NAME</c> and
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> from configuration when called.
    /// </summary>
    /// <remarks>
    /// Configuration it honours: <c>Logging:LogLevel:Default</c> and <c>Logging:LogLevel:{Category}</c>
    /// (env <c>Logging__LogLevel__Default</c>); <c>OTEL_SERVICE_NAME</c>; <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and the
    /// other standard <c>OTEL_*</c> variables; <c>ShutdownTimeoutSeconds</c> (read by the .NET host itself,
    /// default 30), the time hosted services get to finish in-flight work after SIGTERM.
    /// </remarks>
    /// <param name="builder">The service's builder.</param>
    /// <param name="logOutput">Where JSON log lines go; standard output when null. Tests pass their own writer.</param>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, TextWriter? logOutput = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        var serviceName = ServiceName(builder);
        var serviceVersion = Assembly.GetEntryAssembly()?
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

        // prometheus-net would start a meter adapter of its own on the first scrape, missing every measurement made before
        // it and listening to every meter. Its own is switched off and one adapter is started here instead, once per
        // process (a second one would count everything twice). Under a lock, not a flag: a second host built meanwhile
        // (several in one test process) must not serve a scrape before the default adapter is switched off.
        lock (MeterAdapterLock)
        {
            if (!_meterAdapterStarted)
            {
                Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true });
                MeterAdapter.StartListening(new MeterAdapterOptions
                {
                    InstrumentFilterPredicate = instrument => IsExportedMeter(instrument.Meter.Name),
                    ResolveHistogramBuckets = HistogramBuckets,
                });
                _meterAdapterStarted = true;
            }
        }

        builder.AddJsonLogging(serviceName, logOutput);
        builder.AddOpenTelemetry(serviceName, serviceVersion);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.AddProblemDetails();
        builder.AddValidatedOptions<ManagementOptions>(ManagementOptions.SectionName, static (section, options) => section.Bind(options));
        if (ManagementOptions.ConfiguredPort(builder.Configuration) is { } managementPort)
        {
            ManagementOptions.AddListenAddress(builder.Configuration, managementPort);
        }

        return builder;
    }

    /// <summary>Every error a service answers, thrown or not, leaves as <c>application/problem+json</c>. Call it first.</summary>
    public static WebApplication UseProblemDetailsForErrors(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>
    /// Maps <c>/healthz/live</c>, <c>/healthz/ready</c> and <c>/metrics</c> in every environment (Kubernetes probes and
    /// Prometheus need them in production), and counts HTTP requests for <c>/metrics</c>. Refuses methods HTTP does not
    /// define (501) before they are counted. With <c>Management:Port</c> set, <c>/metrics</c> is answered on that port
    /// only. Call it before the service's own middleware and endpoints so their requests are counted.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Before the request metrics: an invented method is refused, not counted (every method would be a new series).
        app.UseMiddleware<KnownHttpMethods>();
        if (ManagementOptions.ConfiguredPort(app.Configuration) is { } managementPort)
        {
            app.UseMiddleware<ManagementPortSeparation>(managementPort, MetricsPath);
        }

        // Runs after the routing middleware WebApplication adds first, so requests are labelled with their endpoint.
        // Every label is bounded: the method by the middleware above, the endpoint by the route templates (one empty
        // value for every unmatched path), the status code by HTTP.
        app.UseHttpMetrics();

        app.MapHealthChecks(LivePath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponse.WriteAsync,
        });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = HealthResponse.WriteAsync,
        });

        // prometheus-net's default registry also carries process and .NET metrics, and (through its meter adapter)
        // every System.Diagnostics.Metrics instrument: the project's own "Fleetman.*" meters, ASP.NET Core, runtime.
        app.MapMetrics(MetricsPath);
        return app;
    }

    // OTEL_SERVICE_NAME is the standard knob (no deployment of the project sets it). The fallback, ApplicationName, is
    // the entry assembly's name (Fleetman.QueueConsumer) unless the service says otherwise.
    internal static string ServiceName(IHostApplicationBuilder builder) =>
        builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured : builder.Environment.ApplicationName;

    internal static void AddJsonLogging(this IHostApplicationBuilder builder, string serviceName, TextWriter? output)
    {
        // Lowest-priority defaults, so appsettings.json and environment variables override them. Without them every
        // request a service answers writes two lines ("Request starting/finished", probes and scrapes included) and
        // every call through an IHttpClientFactory client four ("Start processing HTTP request" ...): the api-gateway
        // wrote a gigabyte of those in an afternoon, and paid for each line on every REST request.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
            },
        });

        // Levels are decided by Microsoft.Extensions.Logging from the "Logging:LogLevel" section, as in any ASP.NET Core
        // app (so Logging__LogLevel__Default=Warning works); the providers below only format and write.
        var format = new JsonLogFormat(serviceName);
        builder.Logging.ClearProviders();
        if (output is null)
        {
            // The console logger formats on the logging thread (the trace ids are the event's) and writes whole lines
            // from its own queue, which the host drains when it is disposed, so nothing is lost at exit.
            builder.Services.AddSingleton<ConsoleFormatter>(format);
            builder.Logging.AddConsole(options => options.FormatterName = JsonLogFormat.FormatterName);
        }
        else
        {
            builder.Services.AddSingleton<ILoggerProvider>(new TextWriterLoggerProvider(format, output));
        }

        // The trace and span ids are written as @tr/@sp from Activity.Current; the host's scope copies are redundant.
        builder.Logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.None);
    }

    private static void AddOpenTelemetry(this IHostApplicationBuilder builder, string serviceName, string serviceVersion)
    {
        // Tracing is always on: the trace and span ids in every log line, and the trace context carried through HTTP and
        // the queue, come from it, collector or not.
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: serviceVersion))
            .WithTracing(tracing => tracing
                .AddSource(TelemetryPrefix + "*")
                // Probes and scrapes arrive every few seconds and say nothing about the system's work.
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsInfrastructureRequest(context))
                .AddHttpClientInstrumentation());

        // Without a collector there is nothing to export to, and metrics would only be aggregated for nobody (Prometheus
        // reads /metrics). The exporter reads the endpoint (and the other OTEL_EXPORTER_OTLP_* settings) from
        // configuration, where environment variables are.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry
                .WithMetrics(metrics => metrics
                    .AddMeter(TelemetryPrefix + "*")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation())
                .UseOtlpExporter();
        }
    }

    /// <summary>
    /// The meters /metrics shows besides prometheus-net's own process, .NET and HTTP request metrics: the project's,
    /// the runtime's, and the connection-level ones of Kestrel and SignalR. Per-request meters of ASP.NET Core's
    /// hosting, routing, rate limiting and authorization and of HttpClient are left out: each would cost every request
    /// (and the edge every proxied request twice) a measurement, for figures http_request_duration_seconds already gives.
    /// </summary>
    private static bool IsExportedMeter(string meter) =>
        meter.StartsWith(TelemetryPrefix, StringComparison.Ordinal)
        || meter is "System.Runtime" or "Microsoft.AspNetCore.Server.Kestrel" or "Microsoft.AspNetCore.Http.Connections"
            or "Microsoft.AspNetCore.Diagnostics";

    /// <summary>
    /// A histogram of the project's own meters in the buckets it advises (where its figures lie, e.g. around a goal);
    /// every other one, and one without advice, in the exporter's defaults, as exported before.
    /// </summary>
    private static double[] HistogramBuckets(System.Diagnostics.Metrics.Instrument instrument) =>
        instrument.Meter.Name.StartsWith(TelemetryPrefix, StringComparison.Ordinal)
        && instrument is System.Diagnostics.Metrics.Instrument<double> { Advice.HistogramBucketBoundaries: { } bounds }
            ? [.. bounds]
            : MeterAdapterOptions.DefaultHistogramBuckets;

    private static bool IsInfrastructureRequest(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments(MetricsPath);
}
