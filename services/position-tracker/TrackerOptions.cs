namespace Fleetman.PositionTracker;

/// <summary>Section <c>Tracker</c>.</summary>
public sealed class TrackerOptions
{
    public const string SectionName = "Tracker";

    /// <summary>History points returned when a request gives no limit.</summary>
    [Range(1, 1_000_000)]
    public int DefaultHistoryLimit { get; set; } = 1_000;

    /// <summary>The most history points one request may ask for; larger limits are capped to it.</summary>
    [Range(1, 1_000_000)]
    public int MaxHistoryLimit { get; set; } = 10_000;

    /// <summary>A vehicle not heard from for this long counts as stale in the fleet summary.</summary>
    [Range(1, 86_400)]
    public int StaleAfterSeconds { get; set; } = 60;

    /// <summary>A vehicle whose latest speed is at least this counts as moving.</summary>
    [Range(0, 1_000)]
    public double MovingAboveMph { get; set; } = 1;
}
