namespace Fleetman.PositionSimulator.Tests;

/// <summary>The tests' own geometry (haversine on a sphere), independent of the code under test.</summary>
internal static class Geometry
{
    public const double MetresPerSecondPerMph = 0.44704;

    /// <summary>Where the tests' towns and routes are centred: Sheffield, the original fleet's home.</summary>
    public static readonly GeoPoint Sheffield = new(53.375564, -1.506785);

    private const double EarthRadius = 6_371_008.8;

    public static double Distance(GeoPoint a, GeoPoint b)
    {
        var dLat = ToRadians(b.Latitude - a.Latitude);
        var dLon = ToRadians(b.Longitude - a.Longitude);
        var h = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2))
            + (Math.Cos(ToRadians(a.Latitude)) * Math.Cos(ToRadians(b.Latitude)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadius * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    /// <summary>Degrees clockwise from north.</summary>
    public static double Heading(GeoPoint from, GeoPoint to)
    {
        var (x, y) = Local(from, to);
        return (Math.Atan2(x, y) * 180 / Math.PI + 360) % 360;
    }

    /// <summary>The smaller angle between two headings, 0 to 180°.</summary>
    public static double Turn(double heading1, double heading2)
    {
        var d = Math.Abs(heading1 - heading2) % 360;
        return d > 180 ? 360 - d : d;
    }

    /// <summary>Distance from <paramref name="point"/> to the nearest segment of the closed polyline through <paramref name="vertices"/>.</summary>
    public static double DistanceToLoop(GeoPoint point, IReadOnlyList<GeoPoint> vertices)
    {
        var best = double.MaxValue;
        for (var i = 0; i < vertices.Count; i++)
        {
            var (ax, ay) = Local(point, vertices[i]);
            var (bx, by) = Local(point, vertices[(i + 1) % vertices.Count]);
            // Distance from the origin (the point) to segment AB.
            var dx = bx - ax;
            var dy = by - ay;
            var lengthSquared = (dx * dx) + (dy * dy);
            var t = lengthSquared == 0 ? 0 : Math.Clamp(-((ax * dx) + (ay * dy)) / lengthSquared, 0, 1);
            var cx = ax + (t * dx);
            var cy = ay + (t * dy);
            best = Math.Min(best, Math.Sqrt((cx * cx) + (cy * cy)));
        }

        return best;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        sorted.Length.ShouldBeGreaterThan(0, "a median of nothing");
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Metres east and north of <paramref name="origin"/> (fine for points a few km apart).</summary>
    private static (double X, double Y) Local(GeoPoint origin, GeoPoint point) =>
        (ToRadians(point.Longitude - origin.Longitude) * EarthRadius * Math.Cos(ToRadians(origin.Latitude)),
         ToRadians(point.Latitude - origin.Latitude) * EarthRadius);

    private static double ToRadians(double degrees) => degrees * Math.PI / 180;
}
