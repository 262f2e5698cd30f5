using Fleetman.PositionSimulator.Motion;

namespace Fleetman.PositionSimulator.Tests.Unit;

/// <summary>The motion model alone: no clock, no broker, simulated time in, positions out.</summary>
public sealed class MotionModelTests
{
    private const double HalfAnHour = 30 * 60;

    public static TheoryData<string> Sources => ["built-in", "city_truck", "dronfield_round", "london_riverside", "sheffield_truck_a", "village_truck"];

    [Theory]
    [MemberData(nameof(Sources))]
    public void Speeds_between_consecutive_reports_are_those_of_a_vehicle_in_town(string source)
    {
        var speeds = new List<double>();
        foreach (var motion in Vehicles(source, count: 8))
        {
            var samples = Drive(motion, HalfAnHour, every: 1);
            speeds.AddRange(samples.Zip(samples.Skip(1), (a, b) => Geometry.Distance(a.Position, b.Position) / (b.Time - a.Time) / Geometry.MetresPerSecondPerMph));
        }

        speeds.Max().ShouldBeLessThanOrEqualTo(75, "no report implies more than 75 mph");
        speeds.Min().ShouldBeGreaterThanOrEqualTo(0);
        var moving = speeds.Where(mph => mph > 1).ToList();
        Geometry.Median(moving).ShouldBeInRange(15, 50, "median speed while moving (mph)");
    }

    [Fact]
    public void Every_reference_track_is_driven_without_a_jump_or_an_impossible_speed()
    {
        foreach (var track in ReferenceTracks.Tracks)
        {
            var motion = new TrackVehicles([DrivingRoute.FromTrack(track)]).Create(0, seed: 42, startTime: 0).Motion;
            var samples = Drive(motion, 20 * 60, every: 1);
            var mph = samples.Zip(samples.Skip(1), (a, b) => Geometry.Distance(a.Position, b.Position) / Geometry.MetresPerSecondPerMph).ToList();

            mph.Max().ShouldBeLessThanOrEqualTo(75, track.Name);
            Geometry.Median(mph.Where(v => v > 1)).ShouldBeInRange(10, 50, track.Name);
        }
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Speeding_up_and_braking_stay_within_two_and_a_half_metres_per_second_squared(string source)
    {
        foreach (var motion in Vehicles(source, count: 4))
        {
            // Average speeds over consecutive seconds, from the distance driven: their change is the acceleration.
            var samples = Drive(motion, HalfAnHour, every: 1);
            var speeds = samples.Zip(samples.Skip(1), (a, b) => b.Odometer - a.Odometer).ToList();
            var accelerations = speeds.Zip(speeds.Skip(1), (v1, v2) => v2 - v1).ToList();

            accelerations.Max().ShouldBeLessThanOrEqualTo(DrivingProfile.Accelerations.Max + 0.05);
            accelerations.Min().ShouldBeGreaterThanOrEqualTo(-DrivingProfile.MaxDeceleration - 0.05);
            accelerations.Max().ShouldBeGreaterThan(0.8, "it does speed up briskly at times");
            accelerations.Min().ShouldBeLessThan(-1.2, "it does brake at times");
        }
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Vehicles_now_and_then_stand_still_for_5_to_30_seconds(string source)
    {
        foreach (var motion in Vehicles(source, count: 4))
        {
            var samples = Drive(motion, HalfAnHour, every: 0.5);
            var stops = StandingPeriods(samples);

            stops.Count.ShouldBeGreaterThanOrEqualTo(5, "a vehicle stops at junctions or lights several times in half an hour");
            stops.ShouldAllBe(seconds => seconds >= VehicleMotion.StopSeconds.Min - 0.5 && seconds <= VehicleMotion.StopSeconds.Max + 0.5);
            stops.Sum().ShouldBeLessThan(HalfAnHour / 2, "it mostly drives");
        }
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Every_reported_position_lies_on_the_route(string source)
    {
        foreach (var motion in Vehicles(source, count: 2))
        {
            var vertices = motion.Route.Vertices();
            var samples = Drive(motion, 15 * 60, every: 1.7);

            samples.Max(s => Geometry.DistanceToLoop(s.Position, vertices)).ShouldBeLessThan(1.0, "metres from the route's polyline");
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_drive_and_another_seed_a_different_one()
    {
        var source = BuiltIn(seed: 42);

        var first = Drive(source.Create(7, seed: 42, startTime: 0).Motion, 600, every: 1);
        var again = Drive(BuiltIn(seed: 42).Create(7, seed: 42, startTime: 0).Motion, 600, every: 1);
        var otherSeed = Drive(BuiltIn(seed: 43).Create(7, seed: 43, startTime: 0).Motion, 600, every: 1);
        var otherVehicle = Drive(source.Create(8, seed: 42, startTime: 0).Motion, 600, every: 1);

        again.ShouldBe(first);
        otherSeed.Select(s => s.Position).ShouldNotBe(first.Select(s => s.Position));
        otherVehicle.Select(s => s.Position).ShouldNotBe(first.Select(s => s.Position));
    }

    [Fact]
    public void Tracks_give_the_same_drive_for_the_same_seed_and_a_different_one_for_another()
    {
        var tracks = Tracks("dronfield_round");

        var first = Drive(tracks.Create(0, seed: 42, startTime: 0).Motion, 600, every: 1);
        var again = Drive(tracks.Create(0, seed: 42, startTime: 0).Motion, 600, every: 1);
        var otherSeed = Drive(tracks.Create(0, seed: 1, startTime: 0).Motion, 600, every: 1);

        again.ShouldBe(first);
        otherSeed.Select(s => s.Position).ShouldNotBe(first.Select(s => s.Position));
    }

    [Fact]
    public void Where_a_vehicle_is_does_not_depend_on_how_often_it_is_asked()
    {
        var often = BuiltIn(seed: 42).Create(3, seed: 42, startTime: 0).Motion;
        var seldom = BuiltIn(seed: 42).Create(3, seed: 42, startTime: 0).Motion;

        var everyTenth = Drive(often, 300, every: 0.1).Where((_, i) => i % 70 == 0).ToList();
        var everySeventh = Drive(seldom, 300, every: 7);

        everySeventh.Count.ShouldBe(everyTenth.Count);
        for (var i = 0; i < everySeventh.Count; i++)
        {
            everySeventh[i].Time.ShouldBe(everyTenth[i].Time, 1e-6);
            Geometry.Distance(everySeventh[i].Position, everyTenth[i].Position).ShouldBeLessThan(0.01);
        }
    }

    [Fact]
    public void A_one_way_track_is_driven_there_and_back_so_the_vehicle_never_jumps()
    {
        var track = ReferenceTracks.Named("city_truck");
        var route = DrivingRoute.FromTrack(track);
        var oneWay = track.Points.Zip(track.Points.Skip(1), Geometry.Distance).Sum();
        route.Length.ShouldBe(2 * oneWay, 0.01 * oneWay, "there and back");

        // Start near the far end and drive through the turn back and round past the start.
        var motion = new VehicleMotion(route, new DrivingProfile(20, 2), startDistance: oneWay - 500, startTime: 0, new Random(1));
        var samples = Drive(motion, 6 * 3600, every: 1);

        samples[^1].Odometer.ShouldBeGreaterThan(oneWay + 1_000, "it drove past the far end and on");
        samples.Zip(samples.Skip(1), (a, b) => Geometry.Distance(a.Position, b.Position)).Max().ShouldBeLessThan(21, "metres in one second at most");
    }

    [Fact]
    public void Out_and_back_tracks_are_driven_as_a_loop_again_and_again()
    {
        var route = DrivingRoute.FromTrack(ReferenceTracks.Named("sheffield_truck_a"));
        var motion = new VehicleMotion(route, new DrivingProfile(20, 2), 0, 0, new Random(1));

        var samples = Drive(motion, 3 * 3600, every: 1);

        samples[^1].Odometer.ShouldBeGreaterThan(3 * route.Length, "three times round");
        samples.Zip(samples.Skip(1), (a, b) => Geometry.Distance(a.Position, b.Position)).Max().ShouldBeLessThan(21);
    }

    internal static List<MotionSample> Drive(VehicleMotion motion, double seconds, double every)
    {
        var samples = new List<MotionSample>();
        for (var step = 0; step * every <= seconds; step++)
        {
            samples.Add(motion.SampleAt(step * every));
        }

        return samples;
    }

    /// <summary>How long (s) each period of standing still lasted: consecutive samples at the same odometer reading.</summary>
    private static List<double> StandingPeriods(List<MotionSample> samples)
    {
        var periods = new List<double>();
        double? since = null;
        for (var i = 1; i < samples.Count; i++)
        {
            var still = samples[i].Odometer == samples[i - 1].Odometer;
            if (still)
            {
                since ??= samples[i - 1].Time;
            }
            else if (since is { } start)
            {
                periods.Add(samples[i - 1].Time - start);
                since = null;
            }
        }

        return periods;
    }

    private static IEnumerable<VehicleMotion> Vehicles(string source, int count)
    {
        VehicleSource vehicles = source == "built-in" ? BuiltIn(seed: 42) : Tracks(source);
        return Enumerable.Range(0, count).Select(i => vehicles.Create(i, seed: 42, startTime: 0).Motion);
    }

    private static BuiltInVehicles BuiltIn(int seed) => new(new StreetMap(Geometry.Sheffield, 4_000, seed));

    private static TrackVehicles Tracks(string fileName) => new([DrivingRoute.FromTrack(ReferenceTracks.Named(fileName))]);
}
