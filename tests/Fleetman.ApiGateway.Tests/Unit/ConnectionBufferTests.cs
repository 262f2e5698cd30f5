using Fleetman.ApiGateway.Live;
using Fleetman.Contracts.Api;

namespace Fleetman.ApiGateway.Tests.Unit;

/// <summary>What one hub connection keeps for its next frame, and how it stays bounded.</summary>
public sealed class ConnectionBufferTests
{
    private static readonly DateTime T0 = new(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTimeOffset Stored = new(2026, 11, 22, 12, 0, 1, TimeSpan.Zero);

    private static LivePosition At(string vehicle, int second) => new(vehicle, 53 + (second * 1e-4), -1.4, T0.AddSeconds(second), 20, 45);

    [Fact]
    public void A_frame_carries_the_newest_position_of_each_vehicle_once()
    {
        var buffer = new ConnectionBuffer(100, 10, 100);
        for (var second = 0; second < 10; second++)
        {
            buffer.Offer([At("Truck", second), At("Van", second)], Stored.AddSeconds(second));
        }

        var frame = buffer.TakeAll().ShouldNotBeNull();

        frame.Positions.ShouldBe([At("Truck", 9), At("Van", 9)], ignoreOrder: true);
        frame.OldestStoredAt.ShouldBe(Stored.AddSeconds(9), "the positions sent are the ones stored last");
        buffer.TakeAll().ShouldBeNull();
    }

    [Fact]
    public void An_older_position_never_replaces_a_newer_one()
    {
        var buffer = new ConnectionBuffer(100, 10, 100);
        buffer.Offer([At("Truck", 5)], Stored);
        buffer.Offer([At("Truck", 3)], Stored);

        buffer.TakeAll()!.Positions.ShouldBe([At("Truck", 5)]);
    }

    [Fact]
    public void However_long_a_connection_is_not_drained_it_holds_at_most_one_position_per_vehicle_up_to_its_limit()
    {
        var buffer = new ConnectionBuffer(maxBufferedVehicles: 3, maxFollowedVehicles: 10, followBacklog: 100);
        var dropped = 0;
        for (var second = 0; second < 1_000; second++)
        {
            dropped += buffer.Offer([At("A", second), At("B", second), At("C", second), At("D", second)], Stored).DroppedBufferFull;
        }

        buffer.Waiting.ShouldBe(3);
        dropped.ShouldBe(1_000, "the fourth vehicle found no slot each time");
        buffer.TakeAll()!.Positions.Select(p => p.Time).ShouldAllBe(time => time == T0.AddSeconds(999));
        buffer.Offer([At("D", 1_000)], Stored).DroppedBufferFull.ShouldBe(0, "a frame left, so there is room again");
    }

    [Fact]
    public void Every_point_of_a_followed_vehicle_waits_in_order_ahead_of_the_others_and_wakes_the_push()
    {
        var buffer = new ConnectionBuffer(100, 10, 100);
        buffer.Follow("Truck").ShouldBeTrue();

        buffer.Offer([At("Truck", 1), At("Van", 1)], Stored).FollowedQueued.ShouldBeTrue();
        buffer.Offer([At("Truck", 2), At("Van", 2)], Stored);
        buffer.Offer([At("Van", 3)], Stored).FollowedQueued.ShouldBeFalse();

        buffer.TakeFollowed()!.Positions.ShouldBe([At("Truck", 1), At("Truck", 2)]);
        buffer.Offer([At("Truck", 3)], Stored);
        buffer.TakeAll()!.Positions.ShouldBe([At("Truck", 3), At("Van", 3)]);
    }

    [Fact]
    public void A_late_point_reaches_a_follower_but_never_the_coalesced_slot_of_a_vehicle_not_followed()
    {
        var buffer = new ConnectionBuffer(100, 10, 100);
        buffer.Follow("Truck");
        buffer.Offer([At("Truck", 5), At("Van", 5)], Stored);
        buffer.TakeAll().ShouldNotBeNull();

        var result = buffer.Offer([At("Truck", 6)], Stored, late: [At("Truck", 4), At("Van", 4)]);

        result.FollowedQueued.ShouldBeTrue();
        buffer.TakeAll()!.Positions.ShouldBe([At("Truck", 4), At("Truck", 6)], "the late point first, then the newer one of the same update");
        buffer.Offer([], Stored, late: [At("Van", 3)]).FollowedQueued.ShouldBeFalse();
        buffer.TakeAll().ShouldBeNull("a late point of a vehicle not followed would move its marker back");
    }

    [Fact]
    public void A_followed_vehicle_s_backlog_is_bounded_and_drops_its_oldest_points()
    {
        var buffer = new ConnectionBuffer(100, 10, followBacklog: 5);
        buffer.Follow("Truck");

        var dropped = Enumerable.Range(0, 8).Sum(second => buffer.Offer([At("Truck", second)], Stored).DroppedFollowBacklog);

        dropped.ShouldBe(3);
        buffer.TakeAll()!.Positions.Select(p => p.Time).ShouldBe(Enumerable.Range(3, 5).Select(s => T0.AddSeconds(s)));
    }

    [Fact]
    public void Following_sends_a_waiting_position_first_and_unfollowing_coalesces_again()
    {
        var buffer = new ConnectionBuffer(100, 10, 100);
        buffer.Offer([At("Truck", 1)], Stored);
        buffer.Follow("Truck");
        buffer.Offer([At("Truck", 2)], Stored);
        buffer.TakeFollowed()!.Positions.ShouldBe([At("Truck", 1), At("Truck", 2)]);

        buffer.Unfollow("Truck");
        buffer.Offer([At("Truck", 3)], Stored).FollowedQueued.ShouldBeFalse();
        buffer.Offer([At("Truck", 4)], Stored);
        buffer.TakeAll()!.Positions.ShouldBe([At("Truck", 4)]);
    }

    [Fact]
    public void A_connection_follows_at_most_its_limit_of_vehicles()
    {
        var buffer = new ConnectionBuffer(100, maxFollowedVehicles: 2, 100);

        buffer.Follow("A").ShouldBeTrue();
        buffer.Follow("B").ShouldBeTrue();
        buffer.Follow("A").ShouldBeTrue("already followed");
        buffer.Follow("C").ShouldBeFalse();
        buffer.Unfollow("B");
        buffer.Follow("C").ShouldBeTrue();
    }

    [Fact]
    public void Positions_the_snapshot_already_showed_are_not_sent_again()
    {
        var buffer = new ConnectionBuffer(100, 10, 100);
        buffer.Offer([At("Truck", 4), At("Van", 6)], Stored);

        buffer.DropNotNewerThan([At("Truck", 5), At("Van", 5)]);

        buffer.TakeAll()!.Positions.ShouldBe([At("Van", 6)]);
    }

    [Fact]
    public void Removed_vehicles_lose_what_waits_for_them_are_no_longer_followed_and_the_next_frame_names_them_after_its_positions()
    {
        var buffer = new ConnectionBuffer(100, 10, 100);
        buffer.Follow("Followed Van");
        buffer.Offer([At("Truck", 1), At("Van", 1), At("Followed Van", 1)], Stored);

        buffer.Remove(["Truck", "Followed Van"]);

        var frame = buffer.TakeAll().ShouldNotBeNull();
        frame.Positions.ShouldBe([At("Van", 1)]);
        frame.Removed.ShouldBe(["Truck", "Followed Van"], ignoreOrder: true);
        buffer.TakeAll().ShouldBeNull("a removal is sent once");
        buffer.Offer([At("Followed Van", 2)], Stored);
        buffer.TakeFollowed().ShouldBeNull("not followed any more: its position waits for the next interval");
    }

    [Fact]
    public void A_vehicle_back_in_the_fleet_before_its_removal_went_out_is_not_removed()
    {
        var buffer = new ConnectionBuffer(100, 10, 100);
        buffer.Remove(["Truck"]);
        buffer.Offer([At("Truck", 7)], Stored);

        var frame = buffer.TakeAll().ShouldNotBeNull();
        frame.Positions.ShouldBe([At("Truck", 7)]);
        frame.Removed.ShouldBeEmpty();
    }

    internal static FleetEventResponse Event(string id, int second) =>
        new(id, "Truck", FleetEventKind.OverspeedStarted, new DateTimeOffset(T0.AddSeconds(second)), 53, -1.4, 70, null, 50);

    [Fact]
    public void Fleet_events_of_several_announcements_go_out_together_with_the_next_frame_in_the_order_announced()
    {
        var buffer = new ConnectionBuffer(100, 10, 100);
        buffer.Offer([At("Truck", 1)], Stored);
        buffer.Announce([Event("e1", 1), Event("e2", 2)]);
        buffer.Announce([Event("e3", 3)]);

        var frame = buffer.TakeAll().ShouldNotBeNull();

        frame.Positions.ShouldBe([At("Truck", 1)]);
        frame.Events.Select(e => e.Id).ShouldBe(["e1", "e2", "e3"]);
        buffer.TakeAll().ShouldBeNull("an event is sent once");
        buffer.Announce([Event("e4", 4)]);
        buffer.TakeFollowed().ShouldNotBeNull("events alone make a frame").Events.Select(e => e.Id).ShouldBe(["e4"]);
    }

    [Fact]
    public void A_connection_that_does_not_read_keeps_only_the_newest_fleet_events_up_to_the_limit()
    {
        var buffer = new ConnectionBuffer(100, 10, 100);
        var events = Enumerable.Range(0, ConnectionBuffer.MaxWaitingEvents + 5).Select(i => Event($"e{i}", i)).ToArray();

        buffer.Announce(events[..10]).ShouldBe(0);
        buffer.Announce(events[10..]).ShouldBe(5);

        buffer.TakeAll().ShouldNotBeNull().Events.ShouldBe(events[5..]);
    }
}
