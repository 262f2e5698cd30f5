namespace Fleetman.PositionStore.Tests.Integration;

/// <summary>What every store does with fleet events, their state and geofences (part of <see cref="PositionStoreContract"/>).</summary>
public abstract class FleetEventStoreContract : PositionStoreContract
{
    private static readonly Geofence Depot = new("Depot", [[53.38, -1.471], [53.38, -1.469], [53.382, -1.469]]);

    protected async Task<IFleetEventStore> InitializedEventStoreAsync() => (IFleetEventStore)await InitializedStoreAsync();

    protected static FleetEvent Event(string vehicle, FleetEventKind kind, int second, string? geofence = null) =>
        new(FleetEvent.IdOf(vehicle, kind, geofence, T0.AddSeconds(second)), vehicle, kind, T0.AddSeconds(second), 53.38, -1.47, 61.5, geofence, geofence is null ? 50 : null);

    [SkippableFact]
    public async Task An_event_added_again_is_kept_once_and_only_new_events_are_returned_as_added()
    {
        var store = await InitializedEventStoreAsync();
        var started = Event("truck", FleetEventKind.OverspeedStarted, 1);
        var entered = Event("truck", FleetEventKind.GeofenceEntered, 1, "Depot");

        (await store.AddEventsAsync([started, started], default)).ShouldBe([started]);
        var added = await store.AddEventsAsync([started, entered], default);

        added.ShouldBe([entered]);
        (await store.AddEventsAsync([entered, started], default)).ShouldBeEmpty();
        (await store.GetEventsAsync(null, 100, default)).Count.ShouldBe(2);
    }

    [SkippableFact]
    public async Task Events_are_read_newest_first_from_a_time_on_at_most_the_limit()
    {
        var store = await InitializedEventStoreAsync();
        FleetEvent[] events = [Event("van", FleetEventKind.Stopped, 3), Event("truck", FleetEventKind.OverspeedStarted, 1), Event("truck", FleetEventKind.OverspeedEnded, 5)];
        await store.AddEventsAsync(events, default);

        (await store.GetEventsAsync(null, 100, default)).ShouldBe([events[2], events[0], events[1]]);
        (await store.GetEventsAsync(T0.AddSeconds(3), 100, default)).ShouldBe([events[2], events[0]]);
        (await store.GetEventsAsync(null, 1, default)).ShouldBe([events[2]]);
    }

    [SkippableFact]
    public async Task An_event_state_is_kept_newest_wins()
    {
        var store = await InitializedEventStoreAsync();
        var older = new FleetEventState("truck", T0.AddSeconds(1), 53.38, -1.47, true, null, false, ["Depot"]);
        var newer = new FleetEventState("truck", T0.AddSeconds(2), 53.39, -1.47, false, T0.AddSeconds(1), true, []);

        await store.SaveEventStatesAsync([newer], default);
        await store.SaveEventStatesAsync([older, new FleetEventState("van", T0, 53.1, -1.4, false, null, false, [])], default);

        var states = await store.GetEventStatesAsync(["truck", "van", "bus"], default);
        states.Keys.ShouldBe(["truck", "van"], ignoreOrder: true);
        states["truck"].ShouldBe(newer with { Inside = states["truck"].Inside });
        states["truck"].Inside.ShouldBeEmpty();
        states["van"].Time.ShouldBe(T0);
    }

    [SkippableFact]
    public async Task A_batch_with_events_stores_positions_events_and_states_and_a_second_time_adds_nothing()
    {
        var store = await InitializedEventStoreAsync();
        VehiclePosition[] positions = [At("truck", 1), At("truck", 2), At("van", 1)];
        FleetEvent[] events = [Event("truck", FleetEventKind.OverspeedStarted, 2), Event("van", FleetEventKind.Stopped, 1)];
        FleetEventState[] states = [new("truck", T0.AddSeconds(2), 53.38, -1.47, true, null, false, []), new("van", T0.AddSeconds(1), 53.1, -1.4, false, T0, true, ["Depot"])];

        var first = await store.AppendWithEventsAsync(positions, events, states, default);
        var again = await store.AppendWithEventsAsync(positions, events, states, default);

        first.PositionsAdded.ShouldBe(3);
        first.EventsAdded.ShouldBe(events, ignoreOrder: true);
        again.PositionsAdded.ShouldBe(0);
        again.EventsAdded.ShouldBeEmpty();
        var positionStore = (IPositionStore)store;
        (await positionStore.GetHistoryAsync("truck", null, null, 100, default)).ShouldBe([At("truck", 1), At("truck", 2)]);
        (await positionStore.GetLatestAsync(["truck", "van"], default))["truck"].ShouldBe(At("truck", 2));
        (await store.GetEventsAsync(null, 100, default)).ShouldBe([events[0], events[1]]);
        var stored = await store.GetEventStatesAsync(["truck", "van"], default);
        stored["truck"].Overspeeding.ShouldBeTrue();
        stored["van"].Inside.ShouldBe(["Depot"]);
    }

    [SkippableFact]
    public async Task A_batch_with_a_position_that_is_not_storable_writes_none_of_its_events_or_states()
    {
        var store = await InitializedEventStoreAsync();
        var state = new FleetEventState("truck", T0.AddSeconds(2), 53.38, -1.47, true, null, false, []);

        await Should.ThrowAsync<ArgumentException>(() => store.AppendWithEventsAsync(
            [At("truck", 2), At("truck", 3) with { Latitude = double.NaN }], [Event("truck", FleetEventKind.OverspeedStarted, 2)], [state], default));

        (await ((IPositionStore)store).CountAsync(null, default)).ShouldBe(0);
        (await store.GetEventsAsync(null, 100, default)).ShouldBeEmpty();
        (await store.GetEventStatesAsync(["truck"], default)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task Geofences_are_created_replaced_listed_and_deleted_by_name()
    {
        var store = await InitializedEventStoreAsync();
        var yard = new Geofence("Yard", [[53.0, -1.0], [53.0, -1.1], [53.1, -1.1], [53.1, -1.0]]);

        await store.SaveGeofenceAsync(yard, default);
        await store.SaveGeofenceAsync(Depot with { Ring = [[1.0, 1.0], [1.0, 2.0], [2.0, 2.0]] }, default);
        await store.SaveGeofenceAsync(Depot, default);

        var stored = await store.GetGeofencesAsync(default);
        stored.Select(g => g.Name).ShouldBe(["Depot", "Yard"]);
        stored[0].Ring.ShouldBe(Depot.Ring);
        (await store.DeleteGeofenceAsync("Depot", default)).ShouldBeTrue();
        (await store.DeleteGeofenceAsync("Depot", default)).ShouldBeFalse();
        (await store.GetGeofencesAsync(default)).ShouldHaveSingleItem().Name.ShouldBe("Yard");
    }

    [SkippableFact]
    public async Task A_geofence_that_is_not_a_polygon_is_refused_saying_why()
    {
        var store = await InitializedEventStoreAsync();

        var refused = await Should.ThrowAsync<ArgumentException>(() => store.SaveGeofenceAsync(new Geofence("Line", [[53.0, -1.0], [53.1, -1.0]]), default));

        refused.Message.ShouldContain("geofence 'Line' needs a ring of 3 to 1000 [latitude, longitude] points");
    }
}
