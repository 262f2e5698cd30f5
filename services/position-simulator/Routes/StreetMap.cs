namespace Fleetman.PositionSimulator.Routes;

/// <summary>
/// The built-in town: a street grid around a centre, turned by an angle and with every junction nudged a little so
/// streets are not ruler-straight, shared by every vehicle and computed on demand (nothing is stored per junction).
/// A vehicle's route is a delivery round in its own part of town: a few calls joined by driving along the streets,
/// turning only at junctions, never turning back on itself, with corners rounded into arcs. Everything follows from
/// the seed.
/// </summary>
public sealed class StreetMap
{
    /// <summary>Radius (m) of a rounded street corner.</summary>
    public const double CornerRadius = 12;

    // A slight bend where a street meets a nudged junction is eased with a wide arc.
    private const double GentleRadius = 60;
    private const double SharpTurnDegrees = 30;
    private const double ArcStepDegrees = 10;
    private const double DistrictMetres = 1_800;

    private static readonly (int Di, int Dj)[] Directions = [(1, 0), (0, 1), (-1, 0), (0, -1)];

    private readonly int _seed;
    private readonly double _spacing;
    private readonly double _jitter;
    private readonly double _cos;
    private readonly double _sin;
    private readonly double _reach;
    private readonly int _extent;
    private readonly int _district;

    public StreetMap(GeoPoint centre, double radiusMetres, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(radiusMetres, 300);
        Projection = new LocalProjection(centre);
        RadiusMetres = radiusMetres;
        _seed = seed;
        var random = new Random(seed);
        _spacing = Math.Clamp(radiusMetres / 6, 60, 170 + (random.NextDouble() * 60));
        var angle = random.NextDouble() * Math.PI / 2;
        _cos = Math.Cos(angle);
        _sin = Math.Sin(angle);
        _jitter = 0.12 * _spacing;

        // Junctions whose nudged position could fall outside the radius are not part of the town. Rounded corners
        // cut inside their junctions, so every point of every route stays within the radius.
        _reach = (radiusMetres - (_jitter * Math.Sqrt(2)) - 1) / _spacing;
        _extent = (int)Math.Floor(_reach);
        _district = Math.Max(2, (int)Math.Round(Math.Min(_reach * 0.6, DistrictMetres / _spacing)));
    }

    public LocalProjection Projection { get; }

    public double RadiusMetres { get; }

    /// <summary>The seed the town was made from.</summary>
    public int Seed => _seed;

    /// <summary>
    /// Every street of the town as a line through its junctions: one per run of junctions along each row and each
    /// column of the grid (a street leaves the town where its next junction would be outside it).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<GeoPoint>> Streets()
    {
        var streets = new List<IReadOnlyList<GeoPoint>>();
        for (var line = -_extent; line <= _extent; line++)
        {
            AddRuns(streets, line, rows: true);
            AddRuns(streets, line, rows: false);
        }

        return streets;
    }

    private void AddRuns(List<IReadOnlyList<GeoPoint>> streets, int line, bool rows)
    {
        var run = new List<GeoPoint>();
        for (var along = -_extent; along <= _extent + 1; along++)
        {
            var junction = rows ? (along, line) : (line, along);
            if (along <= _extent && InTown(junction))
            {
                var (x, y) = Position(junction);
                run.Add(Projection.ToGeo(x, y));
            }
            else
            {
                if (run.Count >= 2)
                {
                    streets.Add(run);
                }

                run = [];
            }
        }
    }

    /// <summary>A round of 3 to 5 calls for the vehicle <paramref name="name"/>, drawn from <paramref name="random"/>.</summary>
    public DrivingRoute CreateRound(string name, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var home = RandomJunction(random, (0, 0), (int)Math.Floor(_reach * 0.75));
        var calls = new List<(int I, int J)> { home };
        var count = random.Next(3, 6);
        for (var attempt = 0; calls.Count < count && attempt < 100; attempt++)
        {
            var call = RandomJunction(random, home, _district);
            if (Manhattan(call, calls[^1]) >= 2 && Manhattan(call, home) >= 2)
            {
                calls.Add(call);
            }
        }

        if (calls.Count < 2)
        {
            throw new InvalidOperationException($"The town of radius {RadiusMetres:F0} m is too small for a round.");
        }

        var junctions = new List<(int I, int J)> { home };
        var heading = -1;
        var firstHeading = -1;
        for (var leg = 1; leg <= calls.Count; leg++)
        {
            var last = leg == calls.Count;
            heading = Drive(junctions, calls[leg % calls.Count], heading, last ? Reverse(firstHeading) : -1, random);
            if (firstHeading < 0)
            {
                firstHeading = DirectionBetween(junctions[0], junctions[1]);
            }
        }

        junctions.RemoveAt(junctions.Count - 1); // back home: the loop closes by itself
        return DrivingRoute.Loop(name, Projection, RoundCorners([.. junctions.Select(Position)]));
    }

    /// <summary>Local position (metres east, north of the centre) of junction (i, j).</summary>
    internal (double X, double Y) Position((int I, int J) junction)
    {
        var gx = (junction.I * _spacing) + ((Noise(junction.I, junction.J, 0) - 0.5) * 2 * _jitter);
        var gy = (junction.J * _spacing) + ((Noise(junction.I, junction.J, 1) - 0.5) * 2 * _jitter);
        return ((gx * _cos) - (gy * _sin), (gx * _sin) + (gy * _cos));
    }

    private bool InTown((int I, int J) junction) => Math.Sqrt(((double)junction.I * junction.I) + ((double)junction.J * junction.J)) <= _reach;

    private (int I, int J) RandomJunction(Random random, (int I, int J) around, int within)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var candidate = (around.I + random.Next(-within, within + 1), around.J + random.Next(-within, within + 1));
            if (InTown(candidate))
            {
                return candidate;
            }
        }

        return around;
    }

    /// <summary>
    /// Drives junction by junction to <paramref name="target"/>, appending each junction reached: straight on when
    /// that gets closer, otherwise a turn that does; never back the way it came; not into the target heading
    /// <paramref name="forbiddenArrival"/> (so the round can carry on from there without a U-turn). Returns the heading.
    /// </summary>
    private int Drive(List<(int I, int J)> path, (int I, int J) target, int heading, int forbiddenArrival, Random random)
    {
        var at = path[^1];
        var patience = (4 * Manhattan(at, target)) + (8 * _extent) + 40;
        Span<int> closer = stackalloc int[4];
        Span<int> other = stackalloc int[4];
        while (at != target)
        {
            // After a long detour (a corner of town), any move goes: it always ends.
            var strict = patience-- > 0;
            int closerCount = 0, otherCount = 0;
            for (var direction = 0; direction < 4; direction++)
            {
                var next = Step(at, direction);
                if (!InTown(next) || (strict && heading >= 0 && direction == Reverse(heading)) || (strict && next == target && direction == forbiddenArrival))
                {
                    continue;
                }

                if (Manhattan(next, target) < Manhattan(at, target))
                {
                    closer[closerCount++] = direction;
                }
                else
                {
                    other[otherCount++] = direction;
                }
            }

            int chosen;
            if (closerCount > 0)
            {
                chosen = closer[..closerCount].Contains(heading) && random.NextDouble() < 0.7 ? heading : closer[random.Next(closerCount)];
            }
            else if (otherCount > 0)
            {
                chosen = other[random.Next(otherCount)];
            }
            else
            {
                chosen = Reverse(heading); // a dead end at the edge of town
            }

            at = Step(at, chosen);
            heading = chosen;
            path.Add(at);
        }

        return heading;
    }

    /// <summary>
    /// The closed path through <paramref name="corners"/> with every bend replaced by an arc: street corners (sharper
    /// than 30°) with <see cref="CornerRadius"/>, slight bends with a wide radius, both no wider than the streets allow.
    /// The point where a corner starts (or a junction driven straight through) is marked as a junction.
    /// </summary>
    private static List<PathPoint> RoundCorners(List<(double X, double Y)> corners)
    {
        var points = new List<PathPoint>(corners.Count * 4);
        var n = corners.Count;
        for (var k = 0; k < n; k++)
        {
            var previous = corners[(k + n - 1) % n];
            var corner = corners[k];
            var next = corners[(k + 1) % n];
            var (inX, inY, inLength) = Unit(previous, corner);
            var (outX, outY, outLength) = Unit(corner, next);
            var cross = (inX * outY) - (inY * outX);
            var turn = Math.Acos(Math.Clamp((inX * outX) + (inY * outY), -1, 1));
            if (turn < Math.PI / 180)
            {
                points.Add(new PathPoint(corner.X, corner.Y, Junction: true));
                continue;
            }

            var radius = turn >= SharpTurnDegrees * Math.PI / 180 ? CornerRadius : GentleRadius;
            var tangent = Math.Min(radius * Math.Tan(turn / 2), 0.45 * Math.Min(inLength, outLength));
            radius = tangent / Math.Tan(turn / 2);

            // From where the arc leaves the incoming street, swing round the centre of the arc by the turn angle.
            var startX = corner.X - (inX * tangent);
            var startY = corner.Y - (inY * tangent);
            var side = Math.Sign(cross); // +1 turning left (anticlockwise), -1 right
            var centreX = startX - (side * inY * radius);
            var centreY = startY + (side * inX * radius);
            var steps = (int)Math.Ceiling(turn / (ArcStepDegrees * Math.PI / 180));
            for (var step = 0; step <= steps; step++)
            {
                var angle = side * turn * step / steps;
                var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
                var rx = startX - centreX;
                var ry = startY - centreY;
                points.Add(new PathPoint(centreX + (rx * cos) - (ry * sin), centreY + (rx * sin) + (ry * cos), Junction: step == 0));
            }
        }

        return points;
    }

    private static (double X, double Y, double Length) Unit((double X, double Y) from, (double X, double Y) to)
    {
        var dx = to.X - from.X;
        var dy = to.Y - from.Y;
        var length = Math.Sqrt((dx * dx) + (dy * dy));
        return (dx / length, dy / length, length);
    }

    private static (int I, int J) Step((int I, int J) at, int direction) => (at.I + Directions[direction].Di, at.J + Directions[direction].Dj);

    private static int Reverse(int direction) => direction < 0 ? -1 : (direction + 2) % 4;

    private static int DirectionBetween((int I, int J) from, (int I, int J) to) =>
        Array.IndexOf(Directions, (to.I - from.I, to.J - from.J));

    private static int Manhattan((int I, int J) a, (int I, int J) b) => Math.Abs(a.I - b.I) + Math.Abs(a.J - b.J);

    /// <summary>A number in [0, 1) that depends only on the seed, the junction and <paramref name="salt"/> (SplitMix64).</summary>
    private double Noise(int i, int j, int salt)
    {
        var h = unchecked(((ulong)(uint)_seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)i * 0xBF58476D1CE4E5B9UL) ^ ((ulong)(uint)j * 0x94D049BB133111EBUL) ^ (ulong)salt);
        h = unchecked((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL);
        h = unchecked((h ^ (h >> 27)) * 0x94D049BB133111EBUL);
        h ^= h >> 31;
        return (h >> 11) * (1.0 / (1UL << 53));
    }
}
