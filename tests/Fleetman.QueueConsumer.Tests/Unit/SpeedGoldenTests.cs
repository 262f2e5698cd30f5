namespace Fleetman.QueueConsumer.Tests.Unit;

/// <summary>The original Fleetman's speed tests (TestSpeedCalculations.java), ported with their values and 0.1 mph tolerance.</summary>
public class SpeedGoldenTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Two_points_153_metres_apart_in_5_seconds_is_about_68_45_mph()
    {
        var speed = Geodesy.SpeedMph(53.33507, -1.53766, Start, 53.33635, -1.53682, Start.AddSeconds(5));

        speed.ShouldBe(68.45025, 0.1);
    }

    [Fact]
    public void Exactly_one_kilometre_in_60_seconds_is_about_37_28_mph()
    {
        var speed = Geodesy.SpeedMph(53.33393, -1.52097, Start, 53.34292, -1.52083, Start.AddSeconds(60));

        speed.ShouldBe(37.28, 0.1);
    }

    [Fact]
    public void A_stationary_vehicle_has_zero_speed()
    {
        Geodesy.SpeedMph(53.33393, -1.52097, Start, 53.33393, -1.52097, Start.AddSeconds(5)).ShouldBe(0);
    }

    [Fact]
    public void Speed_uses_only_the_last_leg()
    {
        var reports = new[]
        {
            new PositionReported("Truck", 53.33393, -1.52097, Start),
            new PositionReported("Truck", 53.34292, -1.52083, Start.AddSeconds(60)),
            new PositionReported("Truck", 53.33635, -1.53682, Start.AddSeconds(144)),
        };

        var positions = SpeedCalculator.Compute(reports, new Dictionary<string, VehiclePosition>());

        positions[0].SpeedMph.ShouldBeNull("a first report has no speed");
        positions[1].SpeedMph!.Value.ShouldBe(37.28, 0.1);
        positions[2].SpeedMph!.Value.ShouldBe(34.35, 0.1);
    }

    [Fact]
    public void Distance_matches_the_wgs84_ellipsoid_not_a_sphere()
    {
        // One degree of latitude at 53°N is 111,297 m on WGS84; a sphere of mean radius says 111,195 m.
        var (metres, bearing) = Geodesy.Inverse(53, -1.5, 54, -1.5);

        metres.ShouldBe(111_297, 2);
        bearing.ShouldBe(0, 1e-9);
    }

    [Theory]
    [InlineData(53.0, -1.5, 53.0, -1.4, 90)]
    [InlineData(53.0, -1.5, 52.9, -1.5, 180)]
    [InlineData(53.0, -1.5, 53.0, -1.6, 270)]
    public void Bearings_point_the_way_the_vehicle_moved(double lat1, double lon1, double lat2, double lon2, double expected)
    {
        Geodesy.Inverse(lat1, lon1, lat2, lon2).Bearing.ShouldBe(expected, 0.1);
    }
}
