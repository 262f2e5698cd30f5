using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace Fleetman.Gateway;

/// <summary>
/// Clusters that reach the destinations of another cluster: a cluster whose metadata names one in
/// <see cref="MetadataKey"/> gets that cluster's destinations. The api-gateway is two clusters, its REST calls (at most
/// a few connections per replica) and its hub (every WebSocket, SSE or long poll holds one connection for its life, so
/// it has no cap, and keeps the session affinity SignalR needs), and both reach the same replicas from one setting,
/// <c>ReverseProxy__Clusters__api-gateway__Destinations__*</c>, not from a second address users must keep in step.
/// </summary>
/// <remarks>
/// The destinations are copied where the configuration is read, before YARP resolves host names
/// (<c>Gateway:DestinationDnsRefreshSeconds</c>), so each cluster gets every address of the name and the two agree on
/// the destination ids the affinity cookie hashes. A configuration filter would run after that resolution.
/// </remarks>
internal sealed class SharedDestinations(IProxyConfigProvider configuration) : IProxyConfigProvider
{
    public const string MetadataKey = "DestinationsOf";

    /// <summary>Puts this provider in front of the one <c>LoadFromConfig</c> registered (YARP keeps its type internal).</summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.Last(service => service.ServiceType == typeof(IProxyConfigProvider));
        var factory = registered.ImplementationFactory
            ?? throw new InvalidOperationException("The configuration's proxy config provider is not registered by a factory.");
        services.Remove(registered);
        services.AddSingleton<IProxyConfigProvider>(provider => new SharedDestinations((IProxyConfigProvider)factory(provider)));
    }

    /// <summary>The cluster whose destinations <paramref name="cluster"/> reaches, if it names one.</summary>
    public static string? SourceOf(ClusterConfig cluster) => cluster.Metadata?.GetValueOrDefault(MetadataKey);

    public IProxyConfig GetConfig()
    {
        var config = configuration.GetConfig();
        var byId = config.Clusters.ToDictionary(cluster => cluster.ClusterId, StringComparer.OrdinalIgnoreCase);
        return config.Clusters.Any(cluster => SourceOf(cluster) is not null)
            ? new Shared(config, [.. config.Clusters.Select(cluster => WithSharedDestinations(cluster, byId))])
            : config;
    }

    private static ClusterConfig WithSharedDestinations(ClusterConfig cluster, Dictionary<string, ClusterConfig> byId)
    {
        if (SourceOf(cluster) is not { } sourceId)
        {
            return cluster;
        }

        var prefix = $"Cluster '{cluster.ClusterId}' reaches the destinations of cluster '{sourceId}' (Metadata:{MetadataKey})";
        if (!byId.TryGetValue(sourceId, out var source))
        {
            throw new InvalidOperationException($"{prefix}, which does not exist.");
        }

        if (SourceOf(source) is not null)
        {
            throw new InvalidOperationException($"{prefix}, which reaches those of another one: name that one.");
        }

        if (cluster.Destinations is { Count: > 0 })
        {
            throw new InvalidOperationException(
                $"{prefix} and cannot have its own: set them on '{sourceId}' alone (ReverseProxy__Clusters__{sourceId}__Destinations__*).");
        }

        return cluster with { Destinations = source.Destinations };
    }

    private sealed class Shared(IProxyConfig configuration, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig
    {
        public string RevisionId => configuration.RevisionId;

        public IReadOnlyList<RouteConfig> Routes => configuration.Routes;

        public IReadOnlyList<ClusterConfig> Clusters => clusters;

        public IChangeToken ChangeToken => configuration.ChangeToken;
    }
}
