using System.Reflection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Fleetman.ServiceDefaults.Tests.Unit;

public sealed class TelemetryTests
{
    [Fact]
    public async Task Without_OTEL_EXPORTER_OTLP_ENDPOINT_no_otlp_exporter_is_registered()
    {
        IServiceCollection? services = null;
        await using var app = TestService.Build(new LogCapture(), configure: builder => services = builder.Services);

        services!.Where(OtlpExporter.Registers).ShouldBeEmpty();
    }

    [Fact]
    public async Task Resource_names_the_service_after_the_application_and_its_informational_version_by_default()
    {
        await using var app = TestService.Build(new LogCapture());

        var resource = app.Services.GetRequiredService<TracerProvider>().GetResource().Attributes.ToDictionary();

        resource["service.name"].ShouldBe(app.Environment.ApplicationName);
        resource["service.version"].ShouldBe(Assembly.GetEntryAssembly()!.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion);
    }

    [Fact]
    public async Task OTEL_SERVICE_NAME_names_the_service()
    {
        await using var app = TestService.Build(new LogCapture(), new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = "queue-consumer" });

        var resource = app.Services.GetRequiredService<TracerProvider>().GetResource().Attributes.ToDictionary();

        resource["service.name"].ShouldBe("queue-consumer");
    }
}
