namespace Fleetman.PositionStore;

/// <summary>How long position history is kept. Section <c>Retention</c> (environment variable <c>Retention__KeepDays</c>).</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>
    /// Positions older than this many days are deleted by the retention sweep. At most 100 years, so the cutoff is a
    /// date .NET and both stores can hold.
    /// </summary>
    [Range(1, 36_500)]
    public int KeepDays { get; set; } = 30;
}
