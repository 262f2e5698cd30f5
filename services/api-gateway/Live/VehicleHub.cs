using Fleetman.LatestPositions;
using Microsoft.AspNetCore.SignalR;

namespace Fleetman.ApiGateway.Live;

/// <summary>
/// Live positions for browsers, at <c>/hubs/vehicles</c> (JSON protocol). The contract (services/api-gateway/README.md),
/// typed by <see cref="IVehicleClient"/> and <see cref="IVehicleHub"/>:
/// <list type="bullet">
/// <item>server → client <c>snapshot(positions[])</c>: once, right after connecting, every vehicle's latest position;</item>
/// <item>server → client <c>positions(positions[])</c>: then batches of newer positions, at most one frame per push
/// interval; a vehicle appears at most once per frame unless the client follows it;</item>
/// <item>client → server <c>Follow(name)</c> / <c>Unfollow(name)</c>: every point of a followed vehicle is pushed,
/// at once (a point that arrived after a newer one too: a trail point), instead of its newest per interval.</item>
/// </list>
/// A position is <see cref="LivePosition"/>: <c>{name, lat, lng, time, speed, heading}</c>.
/// </summary>
public sealed class VehicleHub(LiveUpdates live, LatestPositionCache latest, ApiGatewayMetrics metrics, IOptions<VehicleHubOptions> options)
    : Hub<IVehicleClient>, IVehicleHub
{
    public const string Path = "/hubs/vehicles";
    private const int MaxNameLength = 100;

    public override async Task OnConnectedAsync()
    {
        // Buffering starts before the snapshot is read, so no update falls between the two.
        var connection = live.Connect(Context.ConnectionId);
        try
        {
            var snapshot = (await latest.GetAllAsync()).Select(LivePosition.From).ToArray();
            await Clients.Caller.Snapshot(snapshot, Context.ConnectionAborted);
            metrics.SnapshotPushed(snapshot.Length);
            live.Start(connection, snapshot);
        }
        catch
        {
            await live.DisconnectAsync(Context.ConnectionId);
            throw;
        }
    }

    public override Task OnDisconnectedAsync(Exception? exception) => live.DisconnectAsync(Context.ConnectionId);

    /// <summary>Push every point of <paramref name="name"/> to this connection, as soon as it arrives.</summary>
    public void Follow(string name)
    {
        CheckName(name);
        if (live.Find(Context.ConnectionId) is { } connection && !live.Follow(connection, name))
        {
            throw new HubException($"A connection may follow at most {options.Value.MaxFollowedVehicles} vehicles; unfollow one first.");
        }
    }

    /// <summary>Back to the newest position of <paramref name="name"/> once per push interval.</summary>
    public void Unfollow(string name)
    {
        CheckName(name);
        live.Find(Context.ConnectionId)?.Unfollow(name);
    }

    private static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
        {
            throw new HubException($"A vehicle name is 1 to {MaxNameLength} characters.");
        }
    }
}

public static class VehicleHubEndpoints
{
    public static IEndpointRouteBuilder MapVehicleHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<VehicleHub>(VehicleHub.Path).RequireRateLimiting(HubAdmission.NegotiatePolicyName);
        return app;
    }
}
