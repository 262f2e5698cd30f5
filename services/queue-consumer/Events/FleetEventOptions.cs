namespace Fleetman.QueueConsumer.Events;

/// <summary>What makes a fleet event: section <c>Events</c> (environment variables <c>Events__SpeedLimitKph</c>, ...), checked at start.</summary>
public sealed class FleetEventOptions : IValidatableObject
{
    public const string SectionName = "Events";

    /// <summary>A report slower than this counts as standing still (GPS noise moves a parked vehicle a little).</summary>
    public const double StoppedBelowKph = 1;

    public const double MaxSpeedLimitKph = 1_000;
    public const double MaxStoppedMinutes = 1_440;

    /// <summary>Every vehicle's speed limit unless <see cref="VehicleSpeedLimits"/> names it: an overspeed starts above it.</summary>
    public double SpeedLimitKph { get; set; } = 50;

    /// <summary>An overspeed ends only below the limit less this, so a vehicle driving at its limit gives one event, not a stream.</summary>
    public double SpeedMarginKph { get; set; } = 5;

    /// <summary>
    /// Limits of single vehicles, by name (<c>Events__VehicleSpeedLimits__Van 3=30</c>). Configuration keys ignore case,
    /// so the names do too.
    /// </summary>
    public Dictionary<string, double> VehicleSpeedLimits { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A vehicle standing still (slower than <see cref="StoppedBelowKph"/>) this long gives one stopped event.</summary>
    public double StoppedMinutes { get; set; } = 2;

    /// <summary>Geofences of the deployment (<c>Events__Geofences__0__Name</c>, <c>Events__Geofences__0__Ring__0__0</c> = latitude, ...__1 = longitude); more come from the admin API.</summary>
    public List<GeofenceSettings> Geofences { get; set; } = [];

    /// <summary>How often the geofences stored through the admin API are read again: a new one is in use within this.</summary>
    public TimeSpan GeofenceRefresh { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan StoppedAfter => TimeSpan.FromMinutes(StoppedMinutes);

    public double LimitKphOf(string vehicle) => VehicleSpeedLimits.TryGetValue(vehicle, out var limit) ? limit : SpeedLimitKph;

    /// <summary>The configured geofences as the derivation uses them.</summary>
    public IReadOnlyList<Geofence> ConfiguredGeofences() => [.. Geofences.Select(g => new Geofence(g.Name ?? "", g.Ring))];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!double.IsFinite(SpeedLimitKph) || SpeedLimitKph <= 0 || SpeedLimitKph > MaxSpeedLimitKph)
        {
            yield return new($"SpeedLimitKph must be above 0 and at most {MaxSpeedLimitKph}, like 50.", [nameof(SpeedLimitKph)]);
        }

        if (!double.IsFinite(SpeedMarginKph) || SpeedMarginKph < 0 || SpeedMarginKph >= SpeedLimitKph)
        {
            yield return new("SpeedMarginKph must be at least 0 and below SpeedLimitKph (and below every vehicle's limit), like 5.", [nameof(SpeedMarginKph)]);
        }

        foreach (var (vehicle, limit) in VehicleSpeedLimits)
        {
            if (!double.IsFinite(limit) || limit <= SpeedMarginKph || limit > MaxSpeedLimitKph)
            {
                yield return new($"the limit of '{vehicle}' must be above SpeedMarginKph ({SpeedMarginKph}) and at most {MaxSpeedLimitKph}.", [$"{nameof(VehicleSpeedLimits)}:{vehicle}"]);
            }
        }

        if (!double.IsFinite(StoppedMinutes) || StoppedMinutes <= 0 || StoppedMinutes > MaxStoppedMinutes)
        {
            yield return new($"StoppedMinutes must be above 0 and at most {MaxStoppedMinutes} (a day), like 2.", [nameof(StoppedMinutes)]);
        }

        if (GeofenceRefresh < TimeSpan.FromSeconds(1) || GeofenceRefresh > TimeSpan.FromHours(1))
        {
            yield return new("GeofenceRefresh must be between 00:00:01 and 01:00:00, like 00:00:05.", [nameof(GeofenceRefresh)]);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Geofences.Count; i++)
        {
            var geofence = new Geofence(Geofences[i].Name ?? "", Geofences[i].Ring);
            if (geofence.Problem() is { } problem)
            {
                yield return new($"{problem}.", [$"{nameof(Geofences)}:{i}"]);
            }
            else if (!names.Add(geofence.Name))
            {
                yield return new($"the name '{geofence.Name}' is used by an earlier geofence.", [$"{nameof(Geofences)}:{i}:{nameof(GeofenceSettings.Name)}"]);
            }
        }
    }
}

/// <summary>One configured geofence.</summary>
public sealed class GeofenceSettings
{
    public string? Name { get; set; }

    /// <summary>[latitude, longitude] pairs, at least three; the last joins the first.</summary>
    public List<double[]> Ring { get; set; } = [];
}
