using Fleetman.QueueConsumer.Events;

namespace Fleetman.QueueConsumer.Tests.Unit;

/// <summary>Fleet events from consecutive positions: boundaries, hysteresis, stopping, geofences, and deriving again.</summary>
public sealed class FleetEventDeriverTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    // Metres per degree of latitude near Sheffield (WGS84, about 53.4° N).
    private const double MetresPerDegree = 111_260;

    private static readonly Geofence Depot = new("Depot", [[53.3800, -1.4710], [53.3800, -1.4690], [53.3820, -1.4690], [53.3820, -1.4710]]);

    [Theory]
    [InlineData(false, 50.0, null)]
    [InlineData(false, 50.001, FleetEventKind.OverspeedStarted)]
    [InlineData(false, 44.0, null)]
    [InlineData(true, 45.0, null)]
    [InlineData(true, 50.0, null)]
    [InlineData(true, 44.999, FleetEventKind.OverspeedEnded)]
    [InlineData(true, 80.0, null)]
    public void An_overspeed_starts_only_above_the_limit_and_ends_only_below_limit_minus_margin(bool overspeeding, double kph, FleetEventKind? expected)
    {
        FleetEventDeriver.OverspeedChange(overspeeding, kph, limitKph: 50, marginKph: 5).ShouldBe(expected);
    }

    [Fact]
    public void A_vehicle_hovering_around_its_limit_gives_one_start_and_one_end_not_a_stream()
    {
        var positions = Drive("Van", 0, 60, 48, 52, 47, 55, 46, 60, 40, 49, 52);

        var (events, state) = Derive("Van", positions, null);

        events.Select(e => (e.Kind, Kph: Math.Round(e.SpeedKph!.Value))).ShouldBe([(FleetEventKind.OverspeedStarted, 60.0), (FleetEventKind.OverspeedEnded, 40.0), (FleetEventKind.OverspeedStarted, 52.0)]);
        events.ShouldAllBe(e => e.LimitKph == 50);
        events[0].Time.ShouldBe(positions[1].Time);
        state!.Overspeeding.ShouldBeTrue();
        state.Time.ShouldBe(positions[^1].Time);
    }

    [Fact]
    public void A_vehicle_s_own_limit_replaces_the_global_one()
    {
        var options = new FleetEventOptions { SpeedLimitKph = 50, VehicleSpeedLimits = new(StringComparer.OrdinalIgnoreCase) { ["Slow Van"] = 30 } };

        var slow = FleetEventDeriver.Derive("Slow Van", Drive("Slow Van", 0, 40), null, options, []).Events;
        var other = FleetEventDeriver.Derive("Truck", Drive("Truck", 0, 40), null, options, []).Events;

        slow.ShouldHaveSingleItem().ShouldSatisfyAllConditions(e => e.Kind.ShouldBe(FleetEventKind.OverspeedStarted), e => e.LimitKph.ShouldBe(30));
        other.ShouldBeEmpty();
    }

    [Fact]
    public void Standing_still_for_the_configured_minutes_gives_one_stopped_event_and_moving_gives_one_moving_again()
    {
        // Reports every 30 s: driving, then 5 minutes on the spot, then driving again. It stands from the report at
        // 30 s, so it has stood 2 minutes at 150 s.
        var positions = Drive("Van", 0, 30, [20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 20]);

        var (events, state) = Derive("Van", positions, null, new FleetEventOptions { StoppedMinutes = 2 });

        events.Select(e => (e.Kind, Second: (e.Time - T0).TotalSeconds)).ShouldBe([(FleetEventKind.Stopped, 150.0), (FleetEventKind.MovingAgain, 360.0)]);
        state!.Stopped.ShouldBeFalse();
        state.SlowSince.ShouldBeNull();
    }

    [Fact]
    public void A_stop_continued_in_the_next_batch_is_timed_from_where_it_began()
    {
        var positions = Drive("Van", 0, 30, [20, 0, 0, 0, 0, 0, 0]);
        var options = new FleetEventOptions { StoppedMinutes = 2 };

        var (first, state) = FleetEventDeriver.Derive("Van", positions[..4], null, options, []);
        var (second, _) = FleetEventDeriver.Derive("Van", positions[4..], state, options, []);

        first.ShouldBeEmpty();
        state!.SlowSince.ShouldBe(T0.AddSeconds(30));
        second.ShouldHaveSingleItem().Time.ShouldBe(T0.AddSeconds(150));
    }

    [Fact]
    public void Entering_and_leaving_a_geofence_gives_one_event_each_with_its_name()
    {
        // South of the depot, inside it for three reports, then north of it.
        double[] latitudes = [53.3790, 53.3795, 53.3805, 53.3810, 53.3815, 53.3825, 53.3830];
        var positions = latitudes.Select((lat, i) => new VehiclePosition("Van", lat, -1.4700, T0.AddSeconds(10 * i), null, null)).ToList();

        var (events, state) = Derive("Van", positions, null, geofences: [Depot]);

        events.Select(e => (e.Kind, e.Geofence, e.Latitude)).ShouldBe([(FleetEventKind.GeofenceEntered, "Depot", 53.3805), (FleetEventKind.GeofenceLeft, "Depot", 53.3825)]);
        state!.Inside.ShouldBeEmpty();
    }

    [Fact]
    public void A_vehicle_whose_first_report_is_inside_a_geofence_enters_it()
    {
        var (events, state) = Derive("Van", [new VehiclePosition("Van", 53.381, -1.470, T0, null, null)], null, geofences: [Depot]);

        events.ShouldHaveSingleItem().Kind.ShouldBe(FleetEventKind.GeofenceEntered);
        state!.Inside.ShouldBe(["Depot"]);
    }

    [Fact]
    public void The_same_positions_derived_again_from_the_same_state_give_the_same_events_with_the_same_ids()
    {
        var positions = Drive("Van", 0, 60, 40, 60);

        var once = Derive("Van", positions, null).Events;
        var again = Derive("Van", positions, null).Events;

        once.Count.ShouldBe(3);
        again.ShouldBe(once);
        once.Select(e => e.Id).Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public void A_redelivered_batch_derives_nothing_from_the_state_it_left()
    {
        var positions = Drive("Van", 0, 60, 40);
        var (events, state) = Derive("Van", positions, null);

        var (redelivered, next) = Derive("Van", positions, state);

        events.Count.ShouldBe(2);
        redelivered.ShouldBeEmpty();
        next.ShouldBeNull("nothing newer than the state: the state stays");
    }

    [Fact]
    public void A_batch_split_in_two_derives_what_it_derives_whole()
    {
        var positions = Drive("Van", 0, 60, 40, 0, 60, 30);
        var whole = Derive("Van", positions, null).Events;

        var (first, state) = Derive("Van", positions[..3], null);
        var second = Derive("Van", positions[3..], state).Events;

        first.Concat(second).ShouldBe(whole);
    }

    [Fact]
    public void Event_ids_differ_by_vehicle_kind_geofence_and_time_and_do_not_depend_on_sub_millisecond_time()
    {
        var id = FleetEvent.IdOf("Van", FleetEventKind.GeofenceEntered, "Depot", T0);

        FleetEvent.IdOf("Van", FleetEventKind.GeofenceEntered, "Depot", T0.AddTicks(5)).ShouldBe(id);
        new[]
        {
            FleetEvent.IdOf("Van 2", FleetEventKind.GeofenceEntered, "Depot", T0),
            FleetEvent.IdOf("Van", FleetEventKind.GeofenceLeft, "Depot", T0),
            FleetEvent.IdOf("Van", FleetEventKind.GeofenceEntered, "Yard", T0),
            FleetEvent.IdOf("Van", FleetEventKind.GeofenceEntered, null, T0),
            FleetEvent.IdOf("Van", FleetEventKind.GeofenceEntered, "Depot", T0.AddMilliseconds(1)),
        }.ShouldNotContain(id);
    }

    [Theory]
    [InlineData("Events:SpeedLimitKph", "0", "Events:SpeedLimitKph (environment variable Events__SpeedLimitKph)")]
    [InlineData("Events:SpeedMarginKph", "50", "Events:SpeedMarginKph (environment variable Events__SpeedMarginKph)")]
    [InlineData("Events:StoppedMinutes", "-1", "Events:StoppedMinutes (environment variable Events__StoppedMinutes)")]
    [InlineData("Events:VehicleSpeedLimits:Van", "2", "Events:VehicleSpeedLimits:Van (environment variable Events__VehicleSpeedLimits__Van)")]
    [InlineData("Events:Geofences:0:Name", "Depot", "Events:Geofences:0 (environment variable Events__Geofences__0): geofence 'Depot' needs a ring")]
    public void A_bad_setting_stops_the_start_naming_it(string key, string value, string expected)
    {
        var failure = Should.Throw<OptionsValidationException>(() => OptionsFrom(new() { [key] = value }));

        failure.Message.ShouldContain(expected);
    }

    [Fact]
    public void Geofences_from_configuration_are_read_with_their_rings()
    {
        var options = OptionsFrom(new()
        {
            ["Events:Geofences:0:Name"] = "Depot",
            ["Events:Geofences:0:Ring:0:0"] = "53.38",
            ["Events:Geofences:0:Ring:0:1"] = "-1.471",
            ["Events:Geofences:0:Ring:1:0"] = "53.38",
            ["Events:Geofences:0:Ring:1:1"] = "-1.469",
            ["Events:Geofences:0:Ring:2:0"] = "53.382",
            ["Events:Geofences:0:Ring:2:1"] = "-1.469",
        });

        var geofence = options.ConfiguredGeofences().ShouldHaveSingleItem();

        geofence.Name.ShouldBe("Depot");
        geofence.Ring.ShouldBe([[53.38, -1.471], [53.38, -1.469], [53.382, -1.469]]);
        geofence.Contains(53.3805, -1.4695).ShouldBeTrue();
        geofence.Contains(53.3815, -1.4705).ShouldBeFalse("outside the triangle's long side");
    }

    private static (List<FleetEvent> Events, FleetEventState? State) Derive(
        string vehicle, IReadOnlyList<VehiclePosition> positions, FleetEventState? state, FleetEventOptions? options = null, IReadOnlyList<Geofence>? geofences = null) =>
        FleetEventDeriver.Derive(vehicle, positions, state, options ?? new FleetEventOptions(), geofences ?? []);

    /// <summary>Reports every 10 s from <paramref name="start"/> seconds, due north at each of these speeds from the one before.</summary>
    private static List<VehiclePosition> Drive(string vehicle, int start, params double[] kph) => Drive(vehicle, start, 10, kph);

    private static List<VehiclePosition> Drive(string vehicle, int start, int intervalSeconds, double[] kph)
    {
        var latitude = 53.30;
        var positions = new List<VehiclePosition> { new(vehicle, latitude, -1.47, T0.AddSeconds(start), null, null) };
        for (var i = 0; i < kph.Length; i++)
        {
            latitude += kph[i] / 3.6 * intervalSeconds / MetresPerDegree;
            positions.Add(new VehiclePosition(vehicle, latitude, -1.47, T0.AddSeconds(start + (intervalSeconds * (i + 1))), null, null));
        }

        return positions;
    }

    /// <summary>The event options as the queue-consumer reads them at start (AddFleetEvents), from these settings alone; throws what a bad one throws.</summary>
    private static FleetEventOptions OptionsFrom(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddFleetEvents();
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<FleetEventOptions>>().Value;
    }
}
