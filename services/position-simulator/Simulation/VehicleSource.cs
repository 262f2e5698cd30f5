using Fleetman.PositionSimulator.Motion;
using Fleetman.PositionSimulator.Routes;
using Microsoft.Extensions.Logging;

namespace Fleetman.PositionSimulator.Simulation;

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

/// <summary>Vehicles on delivery rounds in the built-in town, with fleet names numbered by vehicle ("Van 1", "Tipper 2").</summary>
public sealed class BuiltInVehicles(StreetMap map) : VehicleSource
{
    private static readonly string[] Kinds =
    [
        "Van", "Van", "Van", "City Truck", "Courier", "Courier", "Box Truck", "Parcel Van", "Flatbed", "Tipper",
        "Refrigerated Van", "Pickup", "Minibus", "Service Van",
    ];

    public StreetMap Map { get; } = map;

    public override VehicleSourceKind Kind => VehicleSourceKind.BuiltIn;

    public override int DefaultCount => SimulatorOptions.DefaultBuiltInVehicles;

    protected override (string Name, DrivingRoute Route, double StartDistance) Describe(int index, Random random)
    {
        // The number is the vehicle's own, so names never repeat; the kind is drawn.
        var name = $"{Kinds[random.Next(Kinds.Length)]} {index + 1}";
        return (name, Map.CreateRound(name, random), 0);
    }
}

/// <summary>
/// Vehicles on recorded tracks, in file name order. With more vehicles than tracks, the tracks are driven again by
/// vehicles named "City Truck 2", "City Truck 3", ... that start elsewhere along them (golden-ratio spaced).
/// </summary>
public sealed partial class TrackVehicles : VehicleSource
{
    private const double GoldenRatioFraction = 0.6180339887498949;

    public TrackVehicles(IReadOnlyList<DrivingRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (routes.Count == 0)
        {
            throw new ArgumentException("At least one track is needed.", nameof(routes));
        }

        Routes = routes;
    }

    public IReadOnlyList<DrivingRoute> Routes { get; }

    public override VehicleSourceKind Kind => VehicleSourceKind.Tracks;

    public override int DefaultCount => Routes.Count;

    /// <summary>Every track in <paramref name="folder"/> as a route; fails when there is none.</summary>
    public static TrackVehicles Load(string folder, ILogger logger)
    {
        var routes = new List<DrivingRoute>();
        foreach (var track in TrackReader.ReadFolder(folder, logger))
        {
            try
            {
                routes.Add(DrivingRoute.FromTrack(track));
            }
            catch (ArgumentException e)
            {
                LogTrackUnusable(logger, track.FileName, e.Message);
            }
        }

        return routes.Count > 0
            ? new TrackVehicles(routes)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped track {File}: {Reason}")]
    private static partial void LogTrackUnusable(ILogger logger, string file, string reason);
}
