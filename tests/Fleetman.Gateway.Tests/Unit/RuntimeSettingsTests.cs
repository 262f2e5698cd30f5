namespace Fleetman.Gateway.Tests.Unit;

/// <summary>The runtime settings the edge ships with, in the runtimeconfig.json beside its assembly (the image's too).</summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void Idle_thread_pool_workers_do_not_spin_so_the_backend_gets_the_core_during_a_proxied_request() =>
        ServiceProcess.ShippedRuntimeSetting(GatewayHost.Project, GatewayHost.Assembly, "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32().ShouldBe(0);
}
