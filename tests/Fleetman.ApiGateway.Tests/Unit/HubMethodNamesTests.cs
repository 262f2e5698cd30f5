using Fleetman.ApiGateway.Live;
using Fleetman.Contracts.Api;

namespace Fleetman.ApiGateway.Tests.Unit;

/// <summary>
/// The hub's client → server methods are named by their C# names (SignalR reads no attribute from an interface), so
/// the shared constants the clients invoke are pinned to them here.
/// </summary>
public sealed class HubMethodNamesTests
{
    [Fact]
    public void The_methods_clients_invoke_are_the_hubs_own_methods()
    {
        typeof(IVehicleHub).GetMethods().Select(method => method.Name).Order(StringComparer.Ordinal)
            .ShouldBe([VehicleHubMethods.Follow, VehicleHubMethods.Unfollow]);
    }
}
