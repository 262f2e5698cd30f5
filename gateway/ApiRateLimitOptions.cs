namespace Fleetman.Gateway;

/// <summary>Section <c>Gateway:ApiRateLimit</c>: how many <c>/api</c> requests one client IP may make.</summary>
public sealed class ApiRateLimitOptions : IValidatableObject
{
    public const string SectionName = "Gateway:ApiRateLimit";

    /// <summary>The sustained rate a client may keep up.</summary>
    [PerClientLimit]
    public int PermitsPerSecond { get; set; } = 20;

    /// <summary>
    /// How many seconds' worth of requests a client may spend at once: a burst of <c>PermitsPerSecond × WindowSeconds</c>
    /// requests, refilled at <c>PermitsPerSecond</c>.
    /// </summary>
    [Range(1, 3_600)]
    public int WindowSeconds { get; set; } = 10;

    public int PermitsPerWindow => PermitsPerSecond * WindowSeconds;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if ((long)PermitsPerSecond * WindowSeconds > 10_000_000)
        {
            yield return new("PermitsPerSecond × WindowSeconds must be at most 10,000,000.", [nameof(PermitsPerSecond)]);
        }
    }
}
