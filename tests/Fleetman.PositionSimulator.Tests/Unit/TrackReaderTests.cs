using Microsoft.Extensions.Logging.Testing;

namespace Fleetman.PositionSimulator.Tests.Unit;

public sealed class TrackReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fleetman-tracks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Every_reference_track_loads_with_one_point_per_line_and_the_original_vehicle_name()
    {
        var files = Directory.GetFiles(ReferenceTracks.Folder)
            .Select(Path.GetFileName)
            .Where(name => name is not ("README.md" or "MD5SUMS" or ".gitattributes"))
            .ToList();
        files.Count.ShouldBe(38, "the reference folder holds the original's 38 tracks");

        var tracks = ReferenceTracks.Tracks;

        tracks.Select(t => t.FileName).ShouldBe(files!, ignoreOrder: true);
        foreach (var track in tracks)
        {
            var lines = File.ReadAllText(Path.Combine(ReferenceTracks.Folder, track.FileName)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            track.Points.Count.ShouldBe(lines, $"{track.FileName}: one point per line");
        }

        tracks.Sum(t => t.Points.Count).ShouldBe(102_859, "the README's total");
        tracks.Single(t => t.FileName == "electronics_pcb_rush_deliveries").Name.ShouldBe("Electronics Pcb Rush Deliveries");
        tracks.Single(t => t.FileName == "express_delivery1").Name.ShouldBe("Express Delivery1");
        tracks.Single(t => t.FileName == "university_internal_mail_g").Name.ShouldBe("University Internal Mail G");
        tracks.Select(t => t.Name).ShouldBeUnique();
    }

    [Fact]
    public void City_truck_with_CRLF_line_endings_keeps_all_7699_points_at_full_precision()
    {
        var path = Path.Combine(ReferenceTracks.Folder, "city_truck");
        File.ReadAllText(path).ShouldContain("\r\n", customMessage: "the file this test is about has CRLF endings");

        var track = ReferenceTracks.Named("city_truck");

        track.Name.ShouldBe("City Truck");
        track.Points.Count.ShouldBe(7_699);
        track.Points[0].ShouldBe(new GeoPoint(
            double.Parse("53.3798165805637836456298828125", CultureInfo.InvariantCulture),
            double.Parse("-1.46622528322041034698486328125", CultureInfo.InvariantCulture)));
        track.Points.ShouldAllBe(p => p.Latitude > 53 && p.Latitude < 54 && p.Longitude > -2 && p.Longitude < -1);
    }

    [Fact]
    public void Files_without_points_are_skipped_with_one_log_line_each()
    {
        var logger = new FakeLogger<TrackReaderTests>();

        TrackReader.ReadFolder(ReferenceTracks.Folder, logger);

        var skipped = Messages(logger).Where(line => line.Contains("Skipped", StringComparison.Ordinal)).ToList();
        skipped.Count(line => line.Contains("README.md", StringComparison.Ordinal)).ShouldBe(1);
        skipped.Count(line => line.Contains("MD5SUMS", StringComparison.Ordinal)).ShouldBe(1);
        skipped.Count.ShouldBe(3, "README.md, MD5SUMS and .gitattributes: " + string.Join(" | ", skipped));
    }

    [Fact]
    public void A_GPX_file_gives_its_track_and_route_points_in_order_named_after_the_file()
    {
        File.WriteAllText(Path.Combine(_folder, "morning_run.gpx"), """
            <?xml version="1.0" encoding="UTF-8"?>
            <gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
              <metadata><name>ignored</name></metadata>
              <wpt lat="1" lon="1"><name>a waypoint is not part of the track</name></wpt>
              <trk><name>Run</name>
                <trkseg>
                  <trkpt lat="53.3800000" lon="-1.4700000"><ele>120</ele><time>2024-01-01T10:00:00Z</time></trkpt>
                  <trkpt lon="-1.4690000" lat="53.3810000"/>
                </trkseg>
              </trk>
              <rte><rtept lat="53.3820000" lon="-1.4680000"/></rte>
            </gpx>
            """);

        var track = TrackReader.ReadFile(Path.Combine(_folder, "morning_run.gpx"), out var problem);

        problem.ShouldBeNull();
        track.ShouldNotBeNull().Name.ShouldBe("Morning Run");
        track.Points.ShouldBe([new(53.38, -1.47), new(53.381, -1.469), new(53.382, -1.468)]);
    }

    [Fact]
    public void A_folder_mixing_formats_gives_every_track_and_skips_the_rest()
    {
        File.WriteAllText(Path.Combine(_folder, "a_van.gpx"), """<gpx><trk><trkseg><trkpt lat="53.1" lon="-1.1"/><trkpt lat="53.2" lon="-1.2"/></trkseg></trk></gpx>""");
        File.WriteAllText(Path.Combine(_folder, "b_truck"), "lat=\"53.3\" lon=\"-1.3\"\r\nlat=\"53.4\" lon=\"-1.4\"\r\n");
        File.WriteAllText(Path.Combine(_folder, "broken.gpx"), "<gpx><trk>");
        File.WriteAllText(Path.Combine(_folder, "notes.txt"), "Each line reads like `lat=\"53.3\" lon=\"-1.3\"` in these files.\n");
        var logger = new FakeLogger<TrackReaderTests>();

        var tracks = TrackReader.ReadFolder(_folder, logger);

        tracks.Select(t => (t.Name, t.Points.Count)).ShouldBe([("A Van", 2), ("B Truck", 2)]);
        Messages(logger).ShouldContain(line => line.Contains("broken.gpx", StringComparison.Ordinal) && line.Contains("not valid GPX", StringComparison.Ordinal));
        Messages(logger).ShouldContain(line => line.Contains("Skipped notes.txt", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("lat=\"53.2999870\" lon=\"-1.4956900\"", true)]
    [InlineData("lat=\"53.2999870\" lon=\"-1.4956900\"\r", true)]
    [InlineData("  lat=\"53.2999870\"   lon=\"-1.4956900\"  ", true)]
    [InlineData("lon=\"-1.4956900\" lat=\"53.2999870\"", false)]
    [InlineData("lat=\"53.2999870\"", false)]
    [InlineData("lat=\"north\" lon=\"-1.4956900\"", false)]
    [InlineData("lat=\"95\" lon=\"-1.4956900\"", false)]
    [InlineData("- Every line holds one point: `lat=\"53.37\" lon=\"-1.46\"`", false)]
    public void Only_whole_lat_lon_lines_are_points(string line, bool isPoint) =>
        TrackReader.TryParsePointLine(line, out _).ShouldBe(isPoint);

    [Theory]
    [InlineData("city_truck", "City Truck")]
    [InlineData("express_delivery1", "Express Delivery1")]
    [InlineData("TOP_SECRET", "Top Secret")]
    [InlineData("van", "Van")]
    public void Vehicle_names_are_file_names_with_spaces_and_capitalised_words(string fileName, string name) =>
        TrackReader.VehicleName(fileName).ShouldBe(name);

    private static List<string> Messages(FakeLogger<TrackReaderTests> logger) => [.. logger.Collector.GetSnapshot().Select(record => record.Message)];
}
