namespace Fleetman.ApiGateway;

/// <summary>Section <c>Tracker</c>: where the position-tracker is and how long the gateway waits for it.</summary>
public sealed class TrackerClientOptions : IValidatableObject
{
    public const string SectionName = "Tracker";

    /// <summary>The tracker's base URL, e.g. <c>http://position-tracker:8080</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string BaseAddress { get; set; } = "";

    /// <summary>
    /// The most one request to the tracker may take, retries included. Short: when the tracker does not answer, the
    /// browser gets the last known positions (or a 503) instead of waiting.
    /// </summary>
    [Range(100, 60_000)]
    public int TimeoutMilliseconds { get; set; } = 2_000;

    /// <summary>The most one attempt may take.</summary>
    [Range(50, 60_000)]
    public int AttemptTimeoutMilliseconds { get; set; } = 800;

    /// <summary>Further attempts after a failed one (connection refused, 5xx, attempt timeout).</summary>
    [Range(1, 10)]
    public int RetryAttempts { get; set; } = 1;

    public Uri BaseUri => new(BaseAddress, UriKind.Absolute);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(BaseAddress, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult($"'{BaseAddress}' is not an absolute http or https URL.", [nameof(BaseAddress)]);
        }

        if (AttemptTimeoutMilliseconds >= TimeoutMilliseconds)
        {
            yield return new ValidationResult(
                $"AttemptTimeoutMilliseconds ({AttemptTimeoutMilliseconds}) must be below TimeoutMilliseconds ({TimeoutMilliseconds}).",
                [nameof(AttemptTimeoutMilliseconds)]);
        }
    }
}
