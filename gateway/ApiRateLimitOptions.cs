using System.ComponentModel.DataAnnotations;

namespace Fleetman.Gateway;

/// <summary>Section <c>Gateway:ApiRateLimit</c>: how many <c>/api</c> requests one client IP may make.</summary>
public sealed class ApiRateLimitOptions : IValidatableObject
{
    public const string SectionName = "Gateway:ApiRateLimit";

    /// <summary>The sustained rate a client may keep up.</summary>
    [Range(1, 100_000)]
    public int PermitsPerSecond { get; set; } = 20;

    /// <summary>
    /// The sliding window the rate is counted over: a client may spend its <c>PermitsPerSecond × WindowSeconds</c>
    /// requests in a burst, then waits until the oldest of them leave the window.
    /// </summary>
    [Range(1, 3_600)]
    public int WindowSeconds { get; set; } = 10;

    public int PermitsPerWindow => PermitsPerSecond * WindowSeconds;

    /// <summary>The window slides in steps of this many seconds' worth (one step per second, at most ten steps).</summary>
    public int Segments => Math.Clamp(WindowSeconds, 1, 10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if ((long)PermitsPerSecond * WindowSeconds > 10_000_000)
        {
            yield return new("PermitsPerSecond × WindowSeconds must be at most 10,000,000.", [nameof(PermitsPerSecond)]);
        }
    }
}
