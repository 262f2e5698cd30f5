namespace Fleetman.PositionTracker;

/// <summary>Section <c>Tracker</c>: what the fleet summary counts as stale and moving, and how many points a history answer holds.</summary>
public sealed class TrackerOptions
{
    public const string SectionName = "Tracker";

    // Both history limits have the same bounds.
    private const int MostHistoryPoints = 1_000_000;

    /// <summary>A vehicle not heard from for this long counts as stale in the fleet summary.</summary>
    [Range(1, 86_400)]
    public int StaleAfterSeconds { get; set; } = 60;

    /// <summary>A vehicle whose latest speed is at least this counts as moving.</summary>
    [Range(0, 1_000)]
    public double MovingAboveMph { get; set; } = 1;

    /// <summary>History points returned when a request gives no limit.</summary>
    [Range(1, MostHistoryPoints)]
    public int DefaultHistoryLimit { get; set; } = 1_000;

    /// <summary>The most history points one request may ask for; larger limits are capped to it.</summary>
    [Range(1, MostHistoryPoints)]
    public int MaxHistoryLimit { get; set; } = 10_000;
}
