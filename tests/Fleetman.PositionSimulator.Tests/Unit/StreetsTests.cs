using Microsoft.Extensions.Logging.Abstractions;

namespace Fleetman.PositionSimulator.Tests.Unit;

/// <summary>The street network as GeoJSON: its shape, its precision and its size.</summary>
public sealed class StreetsTests(ITestOutputHelper output)
{
    [Fact]
    public void The_default_town_is_a_feature_collection_of_street_line_strings_in_longitude_latitude_order_with_six_decimals()
    {
        var source = BuiltIn();
        var drawing = StreetsDocument.Render(source.Streets(SimulatorOptions.DefaultBuiltInVehicles));

        using var json = JsonDocument.Parse(drawing.Body);
        json.RootElement.GetProperty("type").GetString().ShouldBe("FeatureCollection");
        var features = json.RootElement.GetProperty("features").EnumerateArray().ToList();
        features.Count.ShouldBeGreaterThan(20);
        foreach (var feature in features)
        {
            feature.GetProperty("type").GetString().ShouldBe("Feature");
            feature.GetProperty("properties").GetProperty("kind").GetString().ShouldBe("street");
            feature.GetProperty("geometry").GetProperty("type").GetString().ShouldBe("LineString");
            var coordinates = feature.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().ToList();
            coordinates.Count.ShouldBeGreaterThanOrEqualTo(2);
            foreach (var pair in coordinates)
            {
                pair.GetArrayLength().ShouldBe(2);
                var (longitude, latitude) = (pair[0].GetDouble(), pair[1].GetDouble());
                Geometry.Distance(Geometry.Sheffield, new(latitude, longitude)).ShouldBeLessThanOrEqualTo(4_000, "[longitude, latitude], inside the town");
                pair[0].GetRawText().TrimStart('-').Split('.').ElementAtOrDefault(1)?.Length.ShouldBeLessThanOrEqualTo(6);
                pair[1].GetRawText().Split('.').ElementAtOrDefault(1)?.Length.ShouldBeLessThanOrEqualTo(6);
            }
        }

        drawing.Body.Length.ShouldBeLessThan(200_000, "the default town, well under the 1.5 MB bound");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(37)]
    [InlineData(38)]
    [InlineData(999)]
    public void A_built_in_route_runs_along_the_drawn_streets_of_its_town(int vehicle)
    {
        var source = BuiltIn();
        var streets = source.Town(BuiltInVehicles.TownOf(vehicle)).Streets();
        var route = source.Create(vehicle, 42, 0).Motion.Route;

        // Corners are rounded inside the junction (12 m radius, wider for slight bends): within a few metres of a street.
        // (A street's closing segment runs back along its own row or column, so measuring to the loop changes nothing.)
        var farthest = route.Vertices().Max(point => streets.Min(street => Geometry.DistanceToLoop(point, street)));

        farthest.ShouldBeLessThan(15);
    }

    [Fact]
    public void A_fleet_of_ten_thousand_draws_every_town_it_drives_in_within_the_size_bound()
    {
        var source = BuiltIn();

        var towns = source.StreetsVersion(10_000);
        var drawing = StreetsDocument.Render(source.Streets(10_000));

        output.WriteLine($"streets: {StreetsDocument.Render(source.Streets(38)).Body.Length:N0} bytes for 38 vehicles, {StreetsDocument.Render(source.Streets(1_000)).Body.Length:N0} for 1,000, {drawing.Body.Length:N0} for 10,000");
        towns.ShouldBe(100);
        source.StreetsVersion(SimulatorOptions.DefaultBuiltInVehicles).ShouldBe(0, "the default fleet drives in the central town only");
        source.StreetsVersion(1_000).ShouldBe(10);
        drawing.Body.Length.ShouldBeLessThan(2_000_000);
    }

    [Fact]
    public void Recorded_tracks_are_drawn_as_tracks_simplified_within_a_few_metres_and_bounded()
    {
        var source = TrackVehicles.Load(ReferenceTracks.Folder, NullLogger.Instance);

        var lines = source.Streets(38);
        var drawing = StreetsDocument.Render(lines);

        lines.Count.ShouldBe(ReferenceTracks.Tracks.Count);
        lines.ShouldAllBe(line => line.Kind == StreetKind.Track);
        lines.Sum(line => line.Points.Count).ShouldBeLessThanOrEqualTo(TrackVehicles.MaxDrawnPoints);
        lines.Sum(line => line.Points.Count).ShouldBeLessThan(ReferenceTracks.Tracks.Sum(t => t.Points.Count), "simplified");
        output.WriteLine($"tracks: {drawing.Body.Length:N0} bytes, {lines.Sum(line => line.Points.Count):N0} of {ReferenceTracks.Tracks.Sum(t => t.Points.Count):N0} points");
        drawing.Body.Length.ShouldBeLessThan(1_500_000);
        using var json = JsonDocument.Parse(drawing.Body);
        json.RootElement.GetProperty("features")[0].GetProperty("properties").GetProperty("kind").GetString().ShouldBe("track");
        source.StreetsVersion(38).ShouldBe(source.StreetsVersion(1_000), "more vehicles drive the same tracks");
    }

    [Fact]
    public void Simplifying_keeps_the_ends_and_every_point_that_strays_more_than_the_tolerance()
    {
        var projection = new LocalProjection(Geometry.Sheffield);
        // Along a straight street with 1 m of noise, one 30 m detour in the middle.
        var points = Enumerable.Range(0, 101).Select(i => projection.ToGeo(i * 10, i == 50 ? 30 : (i % 2))).ToList();

        var simplified = Polyline.Simplify(points, 5);

        simplified.Count.ShouldBeLessThan(10);
        simplified[0].ShouldBe(points[0]);
        simplified[^1].ShouldBe(points[^1]);
        simplified.ShouldContain(points[50]);
    }

    private static BuiltInVehicles BuiltIn() => new(new StreetMap(Geometry.Sheffield, 4_000, seed: 42));
}
