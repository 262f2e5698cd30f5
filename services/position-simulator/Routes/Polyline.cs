namespace Fleetman.PositionSimulator.Routes;

/// <summary>Line simplification for drawing: fewer points, the same shape within a tolerance.</summary>
public static class Polyline
{
    /// <summary>
    /// The points of <paramref name="points"/> that keep every dropped point within <paramref name="toleranceMetres"/>
    /// of the simplified line (Douglas–Peucker, in local metres around the first point); the first and last are kept.
    /// </summary>
    public static IReadOnlyList<GeoPoint> Simplify(IReadOnlyList<GeoPoint> points, double toleranceMetres)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count <= 2)
        {
            return points;
        }

        var projection = new LocalProjection(points[0]);
        var local = points.Select(projection.ToLocal).ToArray();
        var keep = new bool[points.Count];
        keep[0] = keep[^1] = true;
        var ranges = new Stack<(int First, int Last)>();
        ranges.Push((0, points.Count - 1));
        while (ranges.TryPop(out var range))
        {
            var (farthest, distance) = (-1, 0.0);
            for (var i = range.First + 1; i < range.Last; i++)
            {
                var d = DistanceToSegment(local[i], local[range.First], local[range.Last]);
                if (d > distance)
                {
                    (farthest, distance) = (i, d);
                }
            }

            if (farthest >= 0 && distance > toleranceMetres)
            {
                keep[farthest] = true;
                ranges.Push((range.First, farthest));
                ranges.Push((farthest, range.Last));
            }
        }

        return [.. points.Where((_, i) => keep[i])];
    }

    private static double DistanceToSegment((double X, double Y) p, (double X, double Y) a, (double X, double Y) b)
    {
        var (dx, dy) = (b.X - a.X, b.Y - a.Y);
        var lengthSquared = (dx * dx) + (dy * dy);
        var t = lengthSquared == 0 ? 0 : Math.Clamp((((p.X - a.X) * dx) + ((p.Y - a.Y) * dy)) / lengthSquared, 0, 1);
        var (ex, ey) = (p.X - (a.X + (t * dx)), p.Y - (a.Y + (t * dy)));
        return Math.Sqrt((ex * ex) + (ey * ey));
    }
}
