using Yarp.ReverseProxy.Configuration;

namespace Fleetman.Gateway;

/// <summary>
/// What the gateway adds to the routes and clusters of the <c>ReverseProxy</c> configuration section.
/// </summary>
internal static class ProxyRoutes
{
    public const string WebappCluster = "webapp";

    /// <summary>
    /// The catch-all route to the <c>webapp</c> cluster, for deployments where the webapp has its own container. Tried
    /// last, after every other route and endpoint. (With <c>Webapp:Root</c> set the gateway serves the files itself.)
    /// </summary>
    public static RouteConfig WebappRoute { get; } = new()
    {
        RouteId = "webapp",
        ClusterId = WebappCluster,
        Order = int.MaxValue,
        Match = new RouteMatch { Path = "{**rest}" },
    };

    /// <summary>
    /// Every route under <c>/admin</c> requires the admin policy, whatever its configuration says, and is rate limited
    /// like the API unless it names a limit of its own: a route added by an environment variable cannot open an admin
    /// backend to everyone by forgetting its AuthorizationPolicy.
    /// </summary>
    internal sealed class AdminRoutesRequireAdmin : IProxyConfigFilter
    {
        public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => new(cluster);

        public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
            new(IsAdmin(route)
                ? route with
                {
                    AuthorizationPolicy = AdminAuthentication.PolicyName,
                    RateLimiterPolicy = string.IsNullOrEmpty(route.RateLimiterPolicy) ? ApiRateLimiting.PolicyName : route.RateLimiterPolicy,
                }
                : route);

        private static bool IsAdmin(RouteConfig route) =>
            route.Match.Path is { } path
            && (path.Equals("/admin", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/admin/", StringComparison.OrdinalIgnoreCase));
    }
}
