using System.Globalization;
using Fleetman.Testing;

namespace Fleetman.Benchmarks;

/// <summary>
/// A process's resident memory from <c>/proc/&lt;pid&gt;/status</c>, in MiB: VmRSS, and its RssFile part (mapped
/// files: the runtime, framework and app assemblies, shared between processes); NaN for a process that is gone.
/// </summary>
internal static class ProcessMemory
{
    internal static (double Resident, double Files) Read(int? processId)
    {
        if (processId is null)
        {
            return (double.NaN, double.NaN);
        }

        var status = File.ReadLines($"/proc/{processId}/status").ToList();
        return (Kilobytes("VmRSS:") / 1024, Kilobytes("RssFile:") / 1024);

        double Kilobytes(string field) =>
            double.Parse(status.First(l => l.StartsWith(field, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The form <paramref name="service"/> runs in, which decides much of its memory: its Native AOT executable or its
    /// trimmed publish's own launcher (the benchmark scripts publish those services as their images do) or the
    /// framework-dependent build output.
    /// </summary>
    internal static string Form(ServiceProcess service) =>
        service.IsNativeAot ? "Native AOT" : service.RunsItsLauncher ? "trimmed" : "framework-dependent";
}
