namespace Fleetman.PositionSimulator.Routes;

/// <summary>A point of a path in local metres; <see cref="Junction"/> marks where a driver may have to stop.</summary>
public readonly record struct PathPoint(double X, double Y, bool Junction = false);

/// <summary>
/// A closed path that vehicles drive round and round (the last vertex joins the first), stored in local metres
/// around an origin, with the fastest speed at each vertex that a driver can take that bend at and still brake in time
/// for every bend after it. Immutable: vehicles that reuse a track share one route.
/// </summary>
public sealed class DrivingRoute
{
    /// <summary>Sideways acceleration a driver accepts in a bend (m/s²): a 12 m street corner is taken at about 12 mph.</summary>
    public const double LateralAcceleration = 2.5;

    /// <summary>How hard drivers plan to brake for bends and stops (m/s²).</summary>
    public const double PlannedDeceleration = 1.8;

    /// <summary>The slowest a bend is taken (m/s): a U-turn at the end of an out-and-back track.</summary>
    public const double MinimumBendSpeed = 2.0;

    /// <summary>Routes shorter than this (metres) are not worth driving.</summary>
    public const double MinimumLength = 100;

    // How far either side of a vertex (metres) the path is looked at to judge its bend: enough to see through the
    // few metres of noise in a GPS recording, short enough to see a street corner as one.
    private const double BendWindow = 15;
    private const double NoBendLimit = 60;

    private readonly float[] _x;
    private readonly float[] _y;
    private readonly double[] _distance;
    private readonly float[] _limit;
    private readonly double[] _stops;

    private DrivingRoute(string name, LocalProjection projection, List<PathPoint> points)
    {
        Name = name;
        Projection = projection;
        var count = points.Count;
        _x = new float[count + 1];
        _y = new float[count + 1];
        _distance = new double[count + 1];
        var stops = new List<double>();
        for (var i = 0; i <= count; i++)
        {
            var point = points[i % count];
            _x[i] = (float)point.X;
            _y[i] = (float)point.Y;
            if (i > 0)
            {
                _distance[i] = _distance[i - 1] + Distance(_x[i - 1], _y[i - 1], _x[i], _y[i]);
            }

            if (point.Junction && i < count)
            {
                stops.Add(_distance[i]);
            }
        }

        _stops = [.. stops];
        _limit = SpeedLimits();
    }

    public string Name { get; }

    public LocalProjection Projection { get; }

    /// <summary>Metres once round.</summary>
    public double Length => _distance[^1];

    /// <summary>Vertices once round (the closing vertex, equal to the first, not counted again).</summary>
    public int VertexCount => _x.Length - 1;

    /// <summary>Distances along the route (in [0, <see cref="Length"/>)) of junctions where a driver may stop.</summary>
    public IReadOnlyList<double> Junctions => _stops;

    /// <summary>
    /// A loop through <paramref name="points"/>: consecutive duplicates are dropped and a closing segment from the last
    /// point back to the first is implied.
    /// </summary>
    public static DrivingRoute Loop(string name, LocalProjection projection, IEnumerable<PathPoint> points)
    {
        var distinct = new List<PathPoint>();
        foreach (var point in points)
        {
            if (distinct.Count == 0 || Distance(distinct[^1], point) > 0.05)
            {
                distinct.Add(point);
            }
        }

        while (distinct.Count > 1 && Distance(distinct[^1], distinct[0]) <= 0.05)
        {
            distinct.RemoveAt(distinct.Count - 1);
        }

        if (distinct.Count < 2)
        {
            throw new ArgumentException($"Route '{name}' needs at least two distinct points.", nameof(points));
        }

        var route = new DrivingRoute(name, projection, distinct);
        return route.Length >= MinimumLength
            ? route
            : throw new ArgumentException($"Route '{name}' is only {route.Length:F0} m long; at least {MinimumLength:F0} m are needed.", nameof(points));
    }

    /// <summary>
    /// The route of a recorded track. A track that ends where it started (the original Fleetman's out-and-back
    /// tracks) is driven as a loop; one that ends elsewhere is driven there and back, so a vehicle never jumps.
    /// </summary>
    public static DrivingRoute FromTrack(Track track)
    {
        ArgumentNullException.ThrowIfNull(track);
        if (track.Points.Count < 2)
        {
            throw new ArgumentException($"Track '{track.Name}' has {track.Points.Count} point(s); at least two are needed.", nameof(track));
        }

        var projection = new LocalProjection(track.Points[0]);
        var points = track.Points.Select(p => projection.ToLocal(p)).Select(p => new PathPoint(p.X, p.Y)).ToList();
        if (Distance(points[0], points[^1]) > 50)
        {
            var back = points[1..^1];
            back.Reverse();
            points.AddRange(back);
        }

        return Loop(track.Name, projection, points);
    }

    /// <summary>The position <paramref name="distance"/> metres along the route (any value: it wraps round).</summary>
    public GeoPoint PointAt(double distance)
    {
        var along = Wrap(distance);
        return PointOnSegment(SegmentOf(along), along);
    }

    /// <summary>The vertices once round, as positions (the closing vertex not repeated).</summary>
    public IReadOnlyList<GeoPoint> Vertices() => [.. Enumerable.Range(0, VertexCount).Select(i => Projection.ToGeo(_x[i], _y[i]))];

    /// <summary>The fastest speed allowed exactly at vertex <paramref name="index"/> (m/s).</summary>
    public double SpeedLimitAtVertex(int index) => _limit[index];

    internal double Wrap(double distance)
    {
        // Nearly always less than one lap out: cheaper than the remainder.
        var along = distance < 0 ? distance + Length : distance >= Length ? distance - Length : distance;
        if (along is >= 0 && along < Length)
        {
            return along;
        }

        along = distance % Length;
        return along < 0 ? along + Length : along;
    }

    /// <summary>The segment holding <paramref name="along"/> (in [0, Length)), searching forward from <paramref name="hint"/> first.</summary>
    internal int SegmentOf(double along, int hint = -1)
    {
        if (hint >= 0 && hint < VertexCount)
        {
            // Vehicles move forward a little at a time: the segment is almost always the hint or one of the next few.
            for (int i = hint, steps = 0; steps < 8; steps++, i = (i + 1) % VertexCount)
            {
                if (_distance[i] <= along && along < _distance[i + 1])
                {
                    return i;
                }
            }
        }

        var index = Array.BinarySearch(_distance, along);
        var segment = index >= 0 ? index : ~index - 1;
        return Math.Clamp(segment, 0, VertexCount - 1);
    }

    internal GeoPoint PointOnSegment(int segment, double along)
    {
        var (x, y) = LocalOnSegment(segment, along);
        return Projection.ToGeo(x, y);
    }

    /// <summary>
    /// The fastest a vehicle at <paramref name="along"/> (on <paramref name="segment"/>) may drive and still brake, at
    /// <see cref="PlannedDeceleration"/>, for every bend it reaches within <paramref name="lookahead"/> metres and after.
    /// </summary>
    internal double SpeedLimitAhead(double along, int segment, double lookahead)
    {
        var limit = double.MaxValue;
        var target = along + lookahead;
        var offset = 0.0;
        var i = segment;
        while (target >= _distance[i + 1] + offset)
        {
            limit = Math.Min(limit, _limit[i + 1]);
            if (++i == VertexCount)
            {
                i = 0;
                offset += Length;
            }
        }

        var toNext = _distance[i + 1] + offset - target;
        return Math.Min(limit, Math.Sqrt((_limit[i + 1] * (double)_limit[i + 1]) + (2 * PlannedDeceleration * toNext)));
    }

    /// <summary>The first junction at or after <paramref name="along"/>, as a distance from <paramref name="along"/>; null without junctions.</summary>
    internal double? DistanceToJunction(double along)
    {
        if (_stops.Length == 0)
        {
            return null;
        }

        var index = Array.BinarySearch(_stops, along);
        var next = index >= 0 ? index : ~index;
        return next < _stops.Length ? _stops[next] - along : _stops[0] + Length - along;
    }

    private (double X, double Y) LocalOnSegment(int segment, double along)
    {
        var length = _distance[segment + 1] - _distance[segment];
        var fraction = length > 0 ? Math.Clamp((along - _distance[segment]) / length, 0, 1) : 0;
        return (_x[segment] + ((_x[segment + 1] - _x[segment]) * fraction), _y[segment] + ((_y[segment + 1] - _y[segment]) * fraction));
    }

    private (double X, double Y) LocalAt(double distance, ref int hint)
    {
        var along = Wrap(distance);
        hint = SegmentOf(along, hint);
        return LocalOnSegment(hint, along);
    }

    /// <summary>
    /// The speed limit of each vertex: the bend there (radius of the circle through the path a little before, at and a
    /// little after it), lowered wherever braking for a later bend must already have begun. Two backward passes carry
    /// the braking from the start of the loop round to its end.
    /// </summary>
    private float[] SpeedLimits()
    {
        var count = VertexCount;
        var limits = new double[count + 1];
        var window = Math.Min(BendWindow, Length / 4);
        int behind = -1, ahead = -1;
        for (var i = 0; i < count; i++)
        {
            var (ax, ay) = LocalAt(_distance[i] - window, ref behind);
            var (cx, cy) = LocalAt(_distance[i] + window, ref ahead);
            var radius = CircleRadius(ax, ay, _x[i], _y[i], cx, cy);
            limits[i] = Math.Clamp(Math.Sqrt(LateralAcceleration * radius), MinimumBendSpeed, NoBendLimit);
        }

        limits[count] = limits[0];
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = count - 1; i >= 0; i--)
            {
                var segment = _distance[i + 1] - _distance[i];
                limits[i] = Math.Min(limits[i], Math.Sqrt((limits[i + 1] * limits[i + 1]) + (2 * PlannedDeceleration * segment)));
            }

            limits[count] = limits[0];
        }

        return [.. limits.Select(l => (float)l)];
    }

    /// <summary>Radius of the circle through three points; infinite when they are in a line, zero when the path turns back on itself.</summary>
    private static double CircleRadius(double ax, double ay, double bx, double by, double cx, double cy)
    {
        var ab = Distance(ax, ay, bx, by);
        var bc = Distance(bx, by, cx, cy);
        var ca = Distance(cx, cy, ax, ay);
        if (ca < 1e-3)
        {
            return 0;
        }

        var twiceArea = Math.Abs(((bx - ax) * (cy - ay)) - ((by - ay) * (cx - ax)));
        return twiceArea < 1e-9 ? double.PositiveInfinity : ab * bc * ca / (2 * twiceArea);
    }

    private static double Distance(double ax, double ay, double bx, double by) => Math.Sqrt(((bx - ax) * (bx - ax)) + ((by - ay) * (by - ay)));

    private static double Distance(PathPoint a, PathPoint b) => Distance(a.X, a.Y, b.X, b.Y);
}
