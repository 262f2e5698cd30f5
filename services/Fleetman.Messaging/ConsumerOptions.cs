namespace Fleetman.Messaging;

/// <summary>How a consumer takes messages from its destination. Bound from a configuration section per consumer.</summary>
public sealed class ConsumerOptions : IValidatableObject
{
    /// <summary>Messages the broker may push ahead of acks (ActiveMQ's activemq.prefetchSize).</summary>
    [Range(1, 100_000)]
    public int Prefetch { get; set; } = 200;

    /// <summary>Handlers (or batches) running at once.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 1;

    /// <summary>Largest batch handed to a batch handler; single-message handlers ignore it.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>How long a batch waits to fill after its first message.</summary>
    [Range(0, 60_000)]
    public int BatchTimeoutMilliseconds { get; set; } = 20;

    /// <summary>Retries after a handler failure before the message is NACKed to the dead-letter queue.</summary>
    [Range(0, 100)]
    public int RetryLimit { get; set; } = 3;

    /// <summary>Delay before the first retry; it doubles on each further retry.</summary>
    [Range(0, 600_000)]
    public int RetryDelayMilliseconds { get; set; } = 100;

    [Range(0, 600_000)]
    public int RetryMaxDelayMilliseconds { get; set; } = 5_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryMaxDelayMilliseconds < RetryDelayMilliseconds)
        {
            yield return new ValidationResult(
                $"RetryMaxDelayMilliseconds ({RetryMaxDelayMilliseconds}) must not be below RetryDelayMilliseconds ({RetryDelayMilliseconds}).",
                [nameof(RetryMaxDelayMilliseconds)]);
        }
    }

    internal TimeSpan RetryDelay(int retry) =>
        TimeSpan.FromMilliseconds(Math.Min(RetryMaxDelayMilliseconds, RetryDelayMilliseconds * Math.Pow(2, Math.Min(retry, 20))));
}
