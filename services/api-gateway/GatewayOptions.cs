using System.ComponentModel.DataAnnotations;

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

/// <summary>Section <c>Hub</c>: how live positions are pushed to browsers.</summary>
public sealed class VehicleHubOptions
{
    public const string SectionName = "Hub";

    /// <summary>
    /// A connection gets at most one frame per interval, with at most one position per vehicle it does not follow.
    /// A position waits up to one interval for its frame, so this bounds what the map lags behind the store; 100 ms
    /// keeps the push under 250 ms at p99 with 500 browsers (tools/bench-live.sh) for 10 frames a second per browser.
    /// </summary>
    [Range(10, 60_000)]
    public int PushIntervalMilliseconds { get; set; } = 100;

    /// <summary>
    /// Vehicles whose newest position one connection may have waiting. Each vehicle takes one slot however often it
    /// reports, so this only bites with a fleet larger than it; the positions of further vehicles are dropped (and
    /// counted) until the next frame leaves.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxBufferedVehicles { get; set; } = 10_000;

    /// <summary>How many vehicles one connection may follow.</summary>
    [Range(1, 1_000)]
    public int MaxFollowedVehicles { get; set; } = 20;

    /// <summary>Points of followed vehicles one connection may have waiting; past that the oldest are dropped (and counted).</summary>
    [Range(1, 100_000)]
    public int FollowBacklog { get; set; } = 1_000;

    /// <summary>
    /// Prefix of the Redis channels of the SignalR backplane: replicas with the same prefix share groups and
    /// broadcasts; another prefix is another, separate set of replicas (tests give each run its own).
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string BackplaneChannelPrefix { get; set; } = "fleetman:";
}
