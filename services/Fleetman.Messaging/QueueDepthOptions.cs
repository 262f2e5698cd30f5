namespace Fleetman.Messaging;

/// <summary>How often the queue-depth gauge asks the broker. Bound from the "QueueDepth" section.</summary>
public sealed class QueueDepthOptions
{
    public const string SectionName = "QueueDepth";

    /// <summary>Seconds between two statistics requests; a Prometheus scrape sees a value at most this old.</summary>
    [Range(1, 3600)]
    public int PollIntervalSeconds { get; set; } = 5;

    /// <summary>How long to wait for the broker's answer before the depth counts as unknown.</summary>
    [Range(1, 60)]
    public int ReplyTimeoutSeconds { get; set; } = 5;
}
