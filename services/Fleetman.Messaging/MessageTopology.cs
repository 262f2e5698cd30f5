namespace Fleetman.Messaging;

/// <summary>
/// Where each message travels, in one place: the queue or topic of every contract message and how the broker keeps it.
/// Publishers and consumers name a message type, never a destination. Names can be changed in the <c>Messaging</c>
/// section (<see cref="MessagingOptions.Destinations"/>); whether a message goes to a queue or a topic cannot.
/// </summary>
public sealed class MessageTopology
{
    private static readonly Dictionary<Type, Route> Defaults = new()
    {
        // Position reports from the simulator, consumed by competing queue-consumers (the original's queue name);
        // stored by the broker, since each one is work that must not be lost.
        [typeof(PositionReported)] = new(Destination.Queue("positionQueue"), Delivery.Persistent),

        // What the queue-consumer stored, for every api-gateway replica to push to browsers. Transient: live positions
        // are stale a second later and a newer update always follows.
        [typeof(VehiclePositionsUpdated)] = new(Destination.Topic("vehicle-updates"), Delivery.Transient),

        // Vehicles the simulator took out of its fleet, for one queue-consumer to remove from the latest positions.
        // Stored by the broker: a lost retirement would leave its vehicles on every map until the retention sweeps them.
        [typeof(VehiclesRetired)] = new(Destination.Queue("vehicleRetirementQueue"), Delivery.Persistent),

        // Vehicles removed from the latest positions, for every api-gateway replica to tell its browsers. Persistent,
        // unlike position updates: no later message repeats a removal.
        [typeof(VehiclesRemoved)] = new(Destination.Topic("vehicle-removals"), Delivery.Persistent),

        // Fleet events the queue-consumer stored for the first time, for every api-gateway replica to push to browsers.
        // Persistent like removals: each event is announced once and no later message repeats it (and they are few).
        [typeof(FleetEventsOccurred)] = new(Destination.Topic("fleet-events"), Delivery.Persistent),
    };

    private readonly Dictionary<Type, Route> _routes;

    private MessageTopology(Dictionary<Type, Route> routes) => _routes = routes;

    internal MessageTopology(IOptions<MessagingOptions> options)
        : this(new Dictionary<Type, Route>(Defaults))
    {
        foreach (var (type, route) in Defaults)
        {
            if (options.Value.Destinations.TryGetValue(type.Name, out var name))
            {
                _routes[type] = route with { Destination = route.Destination.Renamed(name) };
            }
        }
    }

    /// <summary>The topology as the project ships it, without renames.</summary>
    public static MessageTopology Default { get; } = new(new Dictionary<Type, Route>(Defaults));

    internal static IReadOnlyCollection<string> MessageTypeNames { get; } = [.. Defaults.Keys.Select(t => t.Name)];

    /// <summary>
    /// Every message type it routes, by the name <see cref="MessagingOptions.Destinations"/> knows it under, with the
    /// queue or topic it travels on: what a run that renames them all (a benchmark beside a running Fleetman) walks.
    /// </summary>
    public IReadOnlyDictionary<string, string> DestinationNames =>
        _routes.ToDictionary(route => route.Key.Name, route => route.Value.Destination.Name, StringComparer.Ordinal);

    /// <summary>The queue or topic name <typeparamref name="TMessage"/> travels on, e.g. <c>positionQueue</c>.</summary>
    public string NameOf<TMessage>() => RouteOf<TMessage>().Destination.Name;

    internal Route RouteOf<TMessage>() => _routes.TryGetValue(typeof(TMessage), out var route)
        ? route
        : throw new InvalidOperationException($"The messaging topology has no queue or topic for {typeof(TMessage).Name}; add it to {nameof(MessageTopology)}.");

    internal Route? TryRouteOf<TMessage>() => _routes.TryGetValue(typeof(TMessage), out var route) ? route : null;

    /// <summary>A copy that also routes <typeparamref name="TMessage"/> (or routes it elsewhere).</summary>
    internal MessageTopology With<TMessage>(Destination destination, Delivery delivery = Delivery.Persistent) =>
        new(new Dictionary<Type, Route>(_routes) { [typeof(TMessage)] = new(destination, delivery) });
}

/// <summary>A message type's destination and how the broker keeps it.</summary>
internal readonly record struct Route(Destination Destination, Delivery Delivery);

/// <summary>How the broker keeps a message.</summary>
internal enum Delivery
{
    /// <summary>Stored by the broker before the send completes; survives a broker restart. For work that must not be lost.</summary>
    Persistent,

    /// <summary>Kept in memory only: for live notifications that are worthless once stale (a newer one follows anyway).</summary>
    Transient,
}
