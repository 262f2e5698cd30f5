namespace Fleetman.PositionSimulator;

/// <summary>Where the simulated vehicles' routes come from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VehicleSourceKind>))]
public enum VehicleSourceKind
{
    /// <summary>Delivery rounds on a generated street grid around <see cref="SimulatorOptions.CentreLatitude"/>/<see cref="SimulatorOptions.CentreLongitude"/>.</summary>
    BuiltIn,

    /// <summary>Recorded tracks read from <see cref="SimulatorOptions.TracksPath"/> (GPX, or the original Fleetman format).</summary>
    Tracks,
}

/// <summary>What a position report looks like on the queue.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WireFormat>))]
public enum WireFormat
{
    /// <summary>Our JSON message, which our queue-consumer reads (and so would the original's, were it a JSON reader).</summary>
    Json,

    /// <summary>
    /// What the original Java position-tracker reads: a JMS MapMessage of strings <c>vehicle</c>, <c>lat</c>, <c>long</c>,
    /// <c>time</c> (<c>yyyy-MM-dd'T'HH:mm:ss.SSSZ</c>). Our queue-consumer reads it too.
    /// </summary>
    JmsMap,
}

/// <summary>The simulator's settings: section "Simulator" (environment variables <c>Simulator__Vehicles</c>, ...), checked at start.</summary>
public sealed class SimulatorOptions : IValidatableObject
{
    public const string SectionName = "Simulator";

    public const int MaxVehicles = 10_000;
    public const int MinReportIntervalMilliseconds = 100;
    public const int MaxReportIntervalMilliseconds = 600_000;
    public const double MinTimeCompression = 0.1;
    public const double MaxTimeCompression = 100;

    /// <summary>How many vehicles drive built-in routes when <see cref="Vehicles"/> is 0: as many as the original Fleetman's tracks.</summary>
    public const int DefaultBuiltInVehicles = 38;

    public VehicleSourceKind Source { get; set; } = VehicleSourceKind.BuiltIn;

    /// <summary>The folder of tracks, for <see cref="VehicleSourceKind.Tracks"/>: every GPX or Fleetman track file in it is read.</summary>
    public string? TracksPath { get; set; }

    /// <summary>
    /// How many vehicles drive; 0 (the default) means every track (Tracks) or <see cref="DefaultBuiltInVehicles"/> (BuiltIn).
    /// With more vehicles than tracks, the extra vehicles drive the tracks again from other starting points, named
    /// "City Truck 2", "City Truck 3", ...
    /// </summary>
    [Range(0, MaxVehicles)]
    public int Vehicles { get; set; }

    /// <summary>Wall-clock time between two reports of one vehicle.</summary>
    [Range(MinReportIntervalMilliseconds, MaxReportIntervalMilliseconds)]
    public int ReportIntervalMilliseconds { get; set; } = 1_000;

    /// <summary>
    /// Simulated seconds per wall-clock second. Reports carry the simulated time, so speeds computed from them stay
    /// realistic however fast the vehicles are made to go.
    /// </summary>
    [Range(MinTimeCompression, MaxTimeCompression)]
    public double TimeCompression { get; set; } = 1;

    /// <summary>Centre of the built-in town (default: Sheffield, where most of the original tracks are).</summary>
    [Range(-85.0, 85.0)]
    public double CentreLatitude { get; set; } = 53.375564;

    [Range(-180.0, 180.0)]
    public double CentreLongitude { get; set; } = -1.506785;

    /// <summary>Radius of the built-in town: every built-in route stays within it.</summary>
    [Range(0.5, 50.0)]
    public double RadiusKilometres { get; set; } = 4;

    /// <summary>Everything random about the vehicles (names, routes, speeds, stops) follows from it.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Start driving when the service starts; otherwise wait for <c>POST /simulator/start</c>.</summary>
    public bool AutoStart { get; set; } = true;

    /// <summary>
    /// Reports waiting for the broker's confirmation at most; reports beyond it are dropped (and counted) rather than
    /// queued without end while the broker is slow or down.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxInFlightPublishes { get; set; } = 10_000;

    /// <summary>
    /// <see cref="WireFormat.JmsMap"/> to feed the original Java position-tracker image on the same broker; our
    /// queue-consumer reads either.
    /// </summary>
    [EnumDataType(typeof(WireFormat))]
    public WireFormat WireFormat { get; set; } = WireFormat.Json;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Source == VehicleSourceKind.Tracks)
        {
            if (string.IsNullOrWhiteSpace(TracksPath))
            {
                yield return new ValidationResult($"A folder of tracks is required when {SectionName}:{nameof(Source)} is {VehicleSourceKind.Tracks}.", [nameof(TracksPath)]);
            }
            else if (!Directory.Exists(TracksPath))
            {
                yield return new ValidationResult($"The folder '{Path.GetFullPath(TracksPath)}' does not exist.", [nameof(TracksPath)]);
            }
        }
    }
}
