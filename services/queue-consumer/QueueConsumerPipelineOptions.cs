namespace Fleetman.QueueConsumer;

/// <summary>Which reports are believed. Section <c>Pipeline</c>; where they come from is the messaging topology's.</summary>
public sealed class QueueConsumerPipelineOptions : IValidatableObject
{
    public const string SectionName = "Pipeline";

    /// <summary>The largest bound <see cref="MaxClockSkew"/> may have.</summary>
    public static readonly TimeSpan MaxClockSkewLimit = TimeSpan.FromDays(7);

    /// <summary>
    /// How far ahead of this service's clock a report's time may be. Beyond it the report is dead-lettered: the newest
    /// position wins, so one report from next week would freeze its vehicle on the map until then. A simulator run
    /// time-compressed stamps times ahead of the clock and needs a larger bound.
    /// </summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxClockSkew < TimeSpan.FromSeconds(1) || MaxClockSkew > MaxClockSkewLimit)
        {
            yield return new($"MaxClockSkew must be between 00:00:01 and {MaxClockSkewLimit.TotalDays} days (7.00:00:00), like 00:02:00.", [nameof(MaxClockSkew)]);
        }
    }
}
