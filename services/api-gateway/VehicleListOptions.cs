namespace Fleetman.ApiGateway;

/// <summary>Section <c>VehicleList</c>: the in-memory answer to <c>GET /api/vehicles/</c>.</summary>
public sealed class VehicleListOptions
{
    public const string SectionName = "VehicleList";

    /// <summary>
    /// How often the list is read again from Redis. The updates topic keeps it current, but its notifications are
    /// best-effort (one the queue-consumer could not publish is lost): this bounds how long such a miss shows.
    /// </summary>
    [Range(1, 3_600)]
    public int ResyncSeconds { get; set; } = 10;
}
