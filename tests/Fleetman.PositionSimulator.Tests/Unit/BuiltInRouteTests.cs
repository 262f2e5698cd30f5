namespace Fleetman.PositionSimulator.Tests.Unit;

public sealed partial class BuiltInRouteTests
{
    // The largest fleet the simulator drives (seed 42), made once: two tests read it, one its names, the other where
    // each vehicle is a second in, and making ten thousand rounds is most of what either would cost.
    private static readonly Lazy<IReadOnlyList<SimulatedVehicle>> TenThousand = new(() =>
    {
        var source = new BuiltInVehicles(new StreetMap(Geometry.Sheffield, 4_000, seed: 42));
        return [.. Enumerable.Range(0, 10_000).Select(i => source.Create(i, 42, 0))];
    });

    [Fact]
    public void The_same_seed_gives_the_same_town_and_rounds_and_another_seed_other_ones()
    {
        var round = Round(mapSeed: 42, vehicle: 5);

        Round(mapSeed: 42, vehicle: 5).ShouldBe(round);
        Round(mapSeed: 43, vehicle: 5).ShouldNotBe(round);
        Round(mapSeed: 42, vehicle: 6).ShouldNotBe(round);

        static IReadOnlyList<GeoPoint> Round(int mapSeed, int vehicle) =>
            new StreetMap(Geometry.Sheffield, 4_000, mapSeed).CreateRound("Van", new Random(vehicle)).Vertices();
    }

    [Theory]
    [InlineData(4.0)]
    [InlineData(0.5)]
    [InlineData(20.0)]
    public void Every_point_of_every_round_lies_within_the_radius(double radiusKilometres)
    {
        var map = new StreetMap(Geometry.Sheffield, radiusKilometres * 1_000, seed: 42);
        var farthest = 0.0;
        for (var vehicle = 0; vehicle < 300; vehicle++)
        {
            var round = map.CreateRound("Van", new Random(vehicle));
            farthest = Math.Max(farthest, round.Vertices().Max(p => Geometry.Distance(Geometry.Sheffield, p)));
        }

        farthest.ShouldBeLessThanOrEqualTo(radiusKilometres * 1_000);
        farthest.ShouldBeGreaterThan(radiusKilometres * 1_000 * 0.5, "rounds reach out across the town");
    }

    [Fact]
    public void Rounds_are_smooth_with_no_sharp_change_of_direction_between_reports()
    {
        var vehicles = new BuiltInVehicles(new StreetMap(Geometry.Sheffield, 4_000, seed: 42));
        var worst = 0.0;
        for (var i = 0; i < 50; i++)
        {
            var samples = MotionModelTests.Drive(vehicles.Create(i, seed: 42, startTime: 0).Motion, 20 * 60, every: 1);
            var moves = samples.Zip(samples.Skip(1), (a, b) => (From: a.Position, To: b.Position))
                .Where(m => Geometry.Distance(m.From, m.To) > 5)
                .ToList();
            for (var k = 1; k < moves.Count; k++)
            {
                if (moves[k - 1].To == moves[k].From)
                {
                    worst = Math.Max(worst, Geometry.Turn(Geometry.Heading(moves[k - 1].From, moves[k - 1].To), Geometry.Heading(moves[k].From, moves[k].To)));
                }
            }
        }

        worst.ShouldBeLessThan(60, "degrees between the directions of consecutive one-second moves");
    }

    [Fact]
    public void Rounds_bend_gently_everywhere_and_never_turn_back()
    {
        var map = new StreetMap(Geometry.Sheffield, 4_000, seed: 42);
        for (var vehicle = 0; vehicle < 300; vehicle++)
        {
            var vertices = map.CreateRound("Van", new Random(vehicle)).Vertices();
            var n = vertices.Count;
            for (var i = 0; i < n; i++)
            {
                var turn = Geometry.Turn(Geometry.Heading(vertices[(i + n - 1) % n], vertices[i]), Geometry.Heading(vertices[i], vertices[(i + 1) % n]));
                turn.ShouldBeLessThan(10.5, $"round {vehicle}, vertex {i}: corners are arcs drawn in steps of at most 10°");
            }
        }
    }

    [Fact]
    public void Rounds_run_along_a_street_grid_rather_than_wandering()
    {
        // Long straight stretches point along the grid's two axes: their directions modulo 90° agree.
        var map = new StreetMap(Geometry.Sheffield, 4_000, seed: 42);
        double sumX = 0, sumY = 0, total = 0;
        for (var vehicle = 0; vehicle < 100; vehicle++)
        {
            var vertices = map.CreateRound("Van", new Random(vehicle)).Vertices();
            for (var i = 0; i < vertices.Count; i++)
            {
                var (a, b) = (vertices[i], vertices[(i + 1) % vertices.Count]);
                var length = Geometry.Distance(a, b);
                if (length > 50)
                {
                    var angle = Geometry.Heading(a, b) * 4 * Math.PI / 180;
                    sumX += length * Math.Cos(angle);
                    sumY += length * Math.Sin(angle);
                    total += length;
                }
            }
        }

        var alignment = Math.Sqrt((sumX * sumX) + (sumY * sumY)) / total;
        alignment.ShouldBeGreaterThan(0.9, "1 when every street is exactly on the grid, about 0 for random directions");
    }

    [Fact]
    public void Rounds_are_delivery_rounds_of_a_few_kilometres()
    {
        var map = new StreetMap(Geometry.Sheffield, 4_000, seed: 42);
        var lengths = Enumerable.Range(0, 200).Select(v => map.CreateRound("Van", new Random(v)).Length).ToList();

        lengths.Min().ShouldBeGreaterThan(1_000);
        Geometry.Median(lengths).ShouldBeInRange(3_000, 20_000);
    }

    [Fact]
    public void Vehicles_have_unique_fleet_names_that_follow_from_the_seed()
    {
        var names = TenThousand.Value.Select(vehicle => vehicle.Name).ToList();

        names.ShouldBeUnique();
        names.ShouldAllBe(name => FleetName().IsMatch(name));
        names.Take(3).ShouldBe(Names(seed: 42, count: 3));
        Names(seed: 7, count: 20).ShouldNotBe(names.Take(20));
        names.Select(n => n[..n.LastIndexOf(' ')]).Distinct().Count().ShouldBeGreaterThan(5, "a mixed fleet");

        static List<string> Names(int seed, int count)
        {
            var source = new BuiltInVehicles(new StreetMap(Geometry.Sheffield, 4_000, seed));
            return [.. Enumerable.Range(0, count).Select(i => source.Create(i, seed, 0).Name)];
        }
    }

    [Fact]
    public void Ten_thousand_built_in_vehicles_are_made_and_spread_over_the_town()
    {
        // How fast this is belongs to the benchmarks (tools/bench-pipeline.sh measures the simulator's time to ready).
        var positions = TenThousand.Value.Select(vehicle => vehicle.Motion.SampleAt(1).Position).ToList();

        positions.Distinct().Count().ShouldBeGreaterThan(9_000, "vehicles are spread over the town");
    }

    [GeneratedRegex(@"^[A-Z][a-z]+( [A-Z][a-z]+)* [1-9][0-9]*$")]
    private static partial Regex FleetName();
}
