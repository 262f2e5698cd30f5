namespace Fleetman.ApiGateway.Tests.Unit;

/// <summary>The runtime settings the api-gateway ships with, in the runtimeconfig.json beside its assembly (the image's too).</summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void Idle_thread_pool_workers_do_not_spin_so_the_edge_and_the_browsers_get_the_core_between_pushes() =>
        ServiceProcess.ShippedRuntimeSetting(Path.Combine("services", "api-gateway"), "Fleetman.ApiGateway", "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32().ShouldBe(0);
}
