using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Fleetman.Gateway;

/// <summary>
/// YARP's DNS resolver (one destination per address of a host name), made to tolerate names that do not resolve yet.
/// YARP fails the whole configuration, and so the start, when one name has no address. In Kubernetes the headless
/// Service of the api-gateway pods has no address until a pod is ready, and the edge must not crash-loop meanwhile: a
/// name that does not resolve is kept as it is (requests to it answer 502 as for any unreachable backend) and asked
/// for again after the refresh period, like every resolved name.
/// </summary>
internal sealed partial class TolerantDnsDestinationResolver(
    IDestinationResolver dns, GatewayOptions options, ILogger<TolerantDnsDestinationResolver> logger) : IDestinationResolver
{
    /// <summary>
    /// Puts this resolver in front of the one <c>AddDnsDestinationResolver</c> registered (YARP keeps that type internal,
    /// so it is taken from its registration).
    /// </summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.Last(service => service.ServiceType == typeof(IDestinationResolver));
        var dnsType = registered.ImplementationType
            ?? throw new InvalidOperationException("The DNS destination resolver is not registered by type.");
        services.Remove(registered);
        services.AddSingleton(dnsType);
        services.AddSingleton<IDestinationResolver>(provider => new TolerantDnsDestinationResolver(
            (IDestinationResolver)provider.GetRequiredService(dnsType),
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>().Value,
            provider.GetRequiredService<ILogger<TolerantDnsDestinationResolver>>()));
    }

    public async ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(
        IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        var changeTokens = new List<IChangeToken>();
        foreach (var (id, destination) in destinations)
        {
            ResolvedDestinationCollection one;
            try
            {
                one = await dns.ResolveDestinationsAsync(new Dictionary<string, DestinationConfig> { [id] = destination }, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogUnresolved(logger, id, destination.Address, options.DestinationDnsRefreshSeconds, e.GetBaseException().Message);
                resolved[id] = destination;
                changeTokens.Add(new CancellationChangeToken(new CancellationTokenSource(TimeSpan.FromSeconds(options.DestinationDnsRefreshSeconds)).Token));
                continue;
            }

            foreach (var (resolvedId, config) in one.Destinations)
            {
                resolved[resolvedId] = config;
            }

            if (one.ChangeToken is not null)
            {
                changeTokens.Add(one.ChangeToken);
            }
        }

        return new ResolvedDestinationCollection(resolved, changeTokens.Count == 0 ? null : new CompositeChangeToken(changeTokens));
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Destination {Destination} ({Address}) has no DNS address yet; used as it is and resolved again in {Seconds} s: {Reason}")]
    private static partial void LogUnresolved(ILogger logger, string destination, string address, int seconds, string reason);
}
