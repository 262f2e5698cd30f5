using System.Text.Json;
using Fleetman.Testing;

namespace Fleetman.Gateway.Tests.Unit;

/// <summary>The runtime settings the edge ships with, in the runtimeconfig.json beside its assembly (the image's too).</summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void Idle_thread_pool_workers_do_not_spin_so_the_backend_gets_the_core_during_a_proxied_request()
    {
        var assembly = ServiceProcess.BuildOutput(GatewayHost.Project, GatewayHost.Assembly);
        var runtimeConfig = Path.ChangeExtension(assembly, ".runtimeconfig.json");

        using var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32().ShouldBe(0);
    }
}
