using Fleetman.LatestPositions;
using Fleetman.Messaging;

namespace Fleetman.ApiGateway.Tests.Integration;

/// <summary>
/// A replica that has heard no update of a vehicle yet (just started) on the real broker and Redis: what its browsers'
/// snapshots showed decides whether a point is late, so a late point never moves a marker back, and a point at the
/// shown time still reaches the connections that were not shown it.
/// </summary>
public sealed class LateAfterStartTests(LoneGateway lone) : IClassFixture<LoneGateway>
{
    private LatestPositionCache Latest => lone.Gateway.Services.GetRequiredService<LatestPositionCache>();

    private IMessagePublisher Publisher => lone.Gateway.Services.GetRequiredService<IMessagePublisher>();

    [Fact]
    public async Task A_late_point_of_a_vehicle_the_replica_has_not_heard_of_yet_is_older_than_the_snapshot_and_moves_no_marker()
    {
        var shown = Point("Start Van", 10);
        await Latest.UpdateAsync([shown]);
        await using var watcher = await HubClient.ConnectAsync(lone.Gateway.Address);
        (await watcher.SnapshotAsync()).ShouldContain(p => p.Name == "Start Van" && p.Time == shown.Time);

        // As a queue-consumer batch that stored an older report after the newer one announces it (for followers).
        await Publisher.PublishAsync(new VehiclePositionsUpdated([Point("Start Van", 5)], DateTimeOffset.UtcNow));
        var after = Point("Start Marker", 10);
        await Publisher.PublishAsync(new VehiclePositionsUpdated([after], DateTimeOffset.UtcNow));

        // Updates are handed on in the order published: by the time the next one is pushed, the late one was decided.
        await watcher.ReceivedAsync("Start Marker", after.Time);
        watcher.Received("Start Van").ShouldBeEmpty("a point older than the one the snapshot showed moved the marker back");
    }

    [Fact]
    public async Task The_update_of_a_point_a_later_snapshot_showed_still_reaches_the_connections_that_were_not_shown_it()
    {
        await Latest.UpdateAsync([Point("Shown Van", 1)]);
        await using var earlier = await HubClient.ConnectAsync(lone.Gateway.Address);
        await earlier.SnapshotAsync();

        // The consumer writes Redis before it announces: a browser connecting in between is shown the point first.
        var stored = Point("Shown Van", 2);
        await Latest.UpdateAsync([stored]);
        await using var later = await HubClient.ConnectAsync(lone.Gateway.Address);
        (await later.SnapshotAsync()).ShouldContain(p => p.Name == "Shown Van" && p.Time == stored.Time);
        await Publisher.PublishAsync(new VehiclePositionsUpdated([stored], DateTimeOffset.UtcNow));

        await earlier.ReceivedAsync("Shown Van", stored.Time);
    }

    private static VehiclePosition Point(string vehicle, int second) =>
        new(vehicle, 53.38 + (second * 1e-4), -1.47, Reports.Start.AddSeconds(second), 20, 90);
}
