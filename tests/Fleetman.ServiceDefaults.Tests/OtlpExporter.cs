using OpenTelemetry.Exporter;

namespace Fleetman.ServiceDefaults.Tests;

/// <summary>Whether the OTLP exporter is switched on, seen from the services it registers.</summary>
internal static class OtlpExporter
{
    private static readonly System.Reflection.Assembly Assembly = typeof(OtlpExporterOptions).Assembly;

    /// <summary>A registration whose service or implementation type (or one of their type arguments) is the exporter's.</summary>
    public static bool Registers(ServiceDescriptor descriptor) =>
        new[] { descriptor.ServiceType, descriptor.ImplementationType, descriptor.ImplementationInstance?.GetType() }
            .OfType<Type>()
            .SelectMany(type => type.IsGenericType ? [type, .. type.GetGenericArguments()] : new[] { type })
            .Any(type => type.Assembly == Assembly);
}
