using System.Collections.Concurrent;
using Fleetman.PositionSimulator.Motion;
using Fleetman.PositionSimulator.Routes;

namespace Fleetman.PositionSimulator.Simulation;

/// <summary>What a line of the street network is: a street of a built-in town, or a recorded track.</summary>
public enum StreetKind
{
    Street,
    Track,
}

/// <summary>One line of the street network the vehicles drive on, for drawing.</summary>
public sealed record StreetLine(StreetKind Kind, IReadOnlyList<GeoPoint> Points);

/// <summary>A simulated vehicle: the name its reports carry and how it moves.</summary>
public sealed class SimulatedVehicle(string name, VehicleMotion motion)
{
    public string Name { get; } = name;

    public VehicleMotion Motion { get; } = motion;
}

/// <summary>
/// Where vehicles come from. Vehicle <c>i</c> is made from its own random stream, <c>new Random(seed + i)</c>: first
/// its name and route, then its driving profile, then its stops. So a vehicle is the same whenever it is made, and
/// vehicles can be made one at a time, when first needed.
/// </summary>
public abstract class VehicleSource
{
    public abstract VehicleSourceKind Kind { get; }

    /// <summary>How many vehicles drive when the configuration says 0.</summary>
    public abstract int DefaultCount { get; }

    /// <summary>The streets (or tracks) the first <paramref name="vehicles"/> vehicles drive on.</summary>
    public abstract IReadOnlyList<StreetLine> Streets(int vehicles);

    /// <summary>Equal for two fleet sizes exactly when <see cref="Streets"/> gives the same lines for both.</summary>
    public abstract int StreetsVersion(int vehicles);

    public static VehicleSource Create(SimulatorOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Source switch
        {
            VehicleSourceKind.Tracks => TrackVehicles.Load(options.TracksPath!, logger),
            _ => new BuiltInVehicles(new StreetMap(new GeoPoint(options.CentreLatitude, options.CentreLongitude), options.RadiusKilometres * 1_000, options.Seed)),
        };
    }

    /// <param name="startTime">The simulated time the vehicle sets off at.</param>
    public SimulatedVehicle Create(int index, int seed, double startTime)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var random = new Random(unchecked(seed + index));
        var (name, route, startDistance) = Describe(index, random);
        var profile = DrivingProfile.Draw(random);
        return new SimulatedVehicle(name, new VehicleMotion(route, profile, startDistance, startTime, random));
    }

    /// <summary>Vehicle <paramref name="index"/>'s name, route and starting point on it.</summary>
    protected abstract (string Name, DrivingRoute Route, double StartDistance) Describe(int index, Random random);
}

/// <summary>
/// Vehicles on delivery rounds with fleet names numbered by vehicle ("Van 1", "Tipper 2"). The first
/// <see cref="SimulatorOptions.DefaultBuiltInVehicles"/> drive in the town round the centre (<see cref="Map"/>); a bigger
/// fleet spreads over a region: every further <see cref="TownVehicles"/> vehicles have a town of their own, of radius
/// <see cref="TownRadiusMetres"/>, the towns laid out on a sunflower spiral round the centre (each the same area
/// apart, the first clear of the central town), each with its own streets from its own seed. 10,000 vehicles fill
/// 100 towns up to about 31 km from the centre.
/// </summary>
public sealed class BuiltInVehicles(StreetMap map) : VehicleSource
{
    /// <summary>Vehicles per town beyond the central one.</summary>
    public const int TownVehicles = 100;

    public const double TownRadiusMetres = 2_000;

    // Each town holds a disc of about π·3² km² of the spiral; its nearest neighbour is about 5 km away.
    private const double TownSpacingMetres = 3_000;
    private const double TownGapMetres = 1_500;
    private static readonly double GoldenAngle = Math.PI * (3 - Math.Sqrt(5));

    private static readonly string[] Kinds =
    [
        "Van", "Van", "Van", "City Truck", "Courier", "Courier", "Box Truck", "Parcel Van", "Flatbed", "Tipper",
        "Refrigerated Van", "Pickup", "Minibus", "Service Van",
    ];

    private readonly ConcurrentDictionary<int, StreetMap> _towns = new();

    /// <summary>The central town.</summary>
    public StreetMap Map { get; } = map;

    public override VehicleSourceKind Kind => VehicleSourceKind.BuiltIn;

    public override int DefaultCount => SimulatorOptions.DefaultBuiltInVehicles;

    /// <summary>The town vehicle <paramref name="index"/> drives in: 0 is the central one.</summary>
    public static int TownOf(int index) =>
        index < SimulatorOptions.DefaultBuiltInVehicles ? 0 : 1 + ((index - SimulatorOptions.DefaultBuiltInVehicles) / TownVehicles);

    /// <summary>Town <paramref name="town"/> (0: the central one), made when first asked for.</summary>
    public StreetMap Town(int town) => town == 0 ? Map : _towns.GetOrAdd(town, CreateTown);

    public override IReadOnlyList<StreetLine> Streets(int vehicles) =>
        [.. Enumerable.Range(0, StreetsVersion(vehicles) + 1).SelectMany(town => Town(town).Streets()).Select(street => new StreetLine(StreetKind.Street, street))];

    public override int StreetsVersion(int vehicles) => vehicles <= 0 ? 0 : TownOf(vehicles - 1);

    protected override (string Name, DrivingRoute Route, double StartDistance) Describe(int index, Random random)
    {
        // The number is the vehicle's own, so names never repeat; the kind is drawn.
        var name = $"{Kinds[random.Next(Kinds.Length)]} {index + 1}";
        return (name, Town(TownOf(index)).CreateRound(name, random), 0);
    }

    private StreetMap CreateTown(int town)
    {
        // Town t sits sqrt(t + offset) spacings out, the offset putting the first one just clear of the central town.
        var offset = Math.Max(0, Math.Pow((Map.RadiusMetres + TownRadiusMetres + TownGapMetres) / TownSpacingMetres, 2) - 1);
        var distance = TownSpacingMetres * Math.Sqrt(town + offset);
        var angle = town * GoldenAngle;
        var centre = Map.Projection.ToGeo(distance * Math.Cos(angle), distance * Math.Sin(angle));
        return new StreetMap(centre, TownRadiusMetres, unchecked(Map.Seed + (town * 7_919)));
    }
}

/// <summary>
/// Vehicles on recorded tracks, in file name order. With more vehicles than tracks, the tracks are driven again by
/// vehicles named "City Truck 2", "City Truck 3", ... that start elsewhere along them (golden-ratio spaced).
/// </summary>
public sealed partial class TrackVehicles : VehicleSource
{
    private const double GoldenRatioFraction = 0.6180339887498949;

    /// <summary>The most points the tracks are drawn with, all together: about 1 MB of GeoJSON.</summary>
    public const int MaxDrawnPoints = 40_000;

    /// <summary>How far (m) a drawn track may stray from the recorded one, at least.</summary>
    public const double DrawingToleranceMetres = 5;

    private readonly Lazy<IReadOnlyList<StreetLine>> _drawn;

    /// <param name="tracks">The recorded lines, to draw; the routes' own vertices when absent.</param>
    public TrackVehicles(IReadOnlyList<DrivingRoute> routes, IReadOnlyList<IReadOnlyList<GeoPoint>>? tracks = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (routes.Count == 0)
        {
            throw new ArgumentException("At least one track is needed.", nameof(routes));
        }

        Routes = routes;
        _drawn = new(() => Drawn(tracks ?? [.. routes.Select(r => r.Vertices())]));
    }

    public IReadOnlyList<DrivingRoute> Routes { get; }

    public override VehicleSourceKind Kind => VehicleSourceKind.Tracks;

    public override int DefaultCount => Routes.Count;

    /// <summary>Every track, whatever the fleet size: the extra vehicles drive the same tracks.</summary>
    public override IReadOnlyList<StreetLine> Streets(int vehicles) => _drawn.Value;

    public override int StreetsVersion(int vehicles) => 0;

    /// <summary>Every track in <paramref name="folder"/> as a route; fails when there is none.</summary>
    public static TrackVehicles Load(string folder, ILogger logger)
    {
        var routes = new List<DrivingRoute>();
        var tracks = new List<IReadOnlyList<GeoPoint>>();
        foreach (var track in TrackReader.ReadFolder(folder, logger))
        {
            try
            {
                routes.Add(DrivingRoute.FromTrack(track));
                tracks.Add(track.Points);
            }
            catch (ArgumentException e)
            {
                LogTrackUnusable(logger, track.FileName, e.Message);
            }
        }

        return routes.Count > 0
            ? new TrackVehicles(routes, tracks)
            : throw new InvalidOperationException($"No usable track in '{Path.GetFullPath(folder)}' ({SimulatorOptions.SectionName}:{nameof(SimulatorOptions.TracksPath)}).");
    }

    protected override (string Name, DrivingRoute Route, double StartDistance) Describe(int index, Random random)
    {
        var route = Routes[index % Routes.Count];
        var lap = index / Routes.Count;
        if (lap == 0)
        {
            return (route.Name, route, 0);
        }

        var fraction = lap * GoldenRatioFraction % 1;
        return ($"{route.Name} {lap + 1}", route, fraction * route.Length);
    }

    /// <summary>
    /// The tracks simplified within <see cref="DrawingToleranceMetres"/>, the tolerance doubled until they fit
    /// <see cref="MaxDrawnPoints"/>: however many and however long the tracks, the drawing stays bounded.
    /// </summary>
    private static IReadOnlyList<StreetLine> Drawn(IReadOnlyList<IReadOnlyList<GeoPoint>> tracks)
    {
        var tolerance = DrawingToleranceMetres;
        while (true)
        {
            var lines = tracks.Select(track => Polyline.Simplify(track, tolerance)).ToList();
            if (lines.Sum(line => line.Count) <= MaxDrawnPoints || tolerance > 100_000)
            {
                return [.. lines.Where(line => line.Count >= 2).Select(line => new StreetLine(StreetKind.Track, line))];
            }

            tolerance *= 2;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped track {File}: {Reason}")]
    private static partial void LogTrackUnusable(ILogger logger, string file, string reason);
}
