namespace Fleetman.PositionSimulator.Tests.Unit;

/// <summary>A big built-in fleet spreads over a region instead of clumping in one town.</summary>
public sealed class FleetSpreadTests(ITestOutputHelper output)
{
    [Fact]
    public void A_thousand_vehicles_spread_over_towns_around_the_centre_each_on_its_own_route()
    {
        var source = new BuiltInVehicles(new StreetMap(Geometry.Sheffield, 4_000, seed: 42));
        var vehicles = Enumerable.Range(0, 1_000).Select(i => source.Create(i, 42, 0)).ToList();
        var projection = new LocalProjection(Geometry.Sheffield);
        // Where each vehicle is a few minutes into its round, as a map would show it.
        var positions = vehicles.Select(v => projection.ToLocal(v.Motion.Route.PointAt(v.Motion.Route.Length * 0.3))).ToList();

        var width = positions.Max(p => p.X) - positions.Min(p => p.X);
        var height = positions.Max(p => p.Y) - positions.Min(p => p.Y);
        var cells = positions.GroupBy(p => ((int)Math.Floor(p.X / 1_000), (int)Math.Floor(p.Y / 1_000))).ToList();
        var nearest = positions.Select((p, i) => positions.Where((_, j) => j != i).Min(q => Math.Sqrt(((p.X - q.X) * (p.X - q.X)) + ((p.Y - q.Y) * (p.Y - q.Y))))).Average();
        output.WriteLine($"box {width / 1_000:F1} x {height / 1_000:F1} km, {cells.Count} cells of 1 km² occupied, at most {cells.Max(c => c.Count())} vehicles in one, mean nearest neighbour {nearest:F0} m");

        width.ShouldBeGreaterThan(20_000);
        height.ShouldBeGreaterThan(20_000);
        cells.Count.ShouldBeGreaterThan(100, "one 4 km town covers about 50 cells");
        cells.Max(c => c.Count()).ShouldBeLessThan(40, "no blob: at most a few dozen vehicles in any square kilometre");
        nearest.ShouldBeGreaterThan(120);
        vehicles.Select(v => v.Name).Distinct().Count().ShouldBe(1_000);
        vehicles.Select(v => (v.Motion.Route.Length, v.Motion.Route.VertexCount)).Distinct().Count().ShouldBeGreaterThan(990, "each vehicle its own route");
    }

    [Fact]
    public void The_default_fleet_stays_in_the_central_town_on_the_routes_it_always_had()
    {
        var map = new StreetMap(Geometry.Sheffield, 4_000, seed: 42);
        var source = new BuiltInVehicles(map);

        for (var i = 0; i < SimulatorOptions.DefaultBuiltInVehicles; i++)
        {
            BuiltInVehicles.TownOf(i).ShouldBe(0);
            var random = new Random(42 + i);
            var name = source.Create(i, 42, 0).Name;
            random.Next(); // the kind drawn for the name
            source.Create(i, 42, 0).Motion.Route.Vertices().ShouldBe(map.CreateRound(name, random).Vertices());
        }

        BuiltInVehicles.TownOf(SimulatorOptions.DefaultBuiltInVehicles).ShouldBe(1);
    }
}
