namespace Fleetman.Messaging;

/// <summary>Where the STOMP broker is and how the client behaves towards it. Bound from the "Broker" section.</summary>
public sealed class BrokerOptions
{
    public const string SectionName = "Broker";

    [Required(AllowEmptyStrings = false)]
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; } = 61613;

    /// <summary>STOMP login. Empty for a broker without authentication.</summary>
    public string? Username { get; set; }

    /// <summary>STOMP passcode; comes from a secret in every deployment.</summary>
    public string? Password { get; set; }

    /// <summary>Heart-beat interval offered in both directions; 0 turns heart-beats off.</summary>
    [Range(0, 600_000)]
    public int HeartbeatMilliseconds { get; set; } = 10_000;

    [Range(1, 300)]
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// How long a publish may wait for the broker's receipt, reconnects included, before it fails.
    /// Sends wait through short broker outages instead of failing at once.
    /// </summary>
    [Range(1, 3600)]
    public int SendTimeoutSeconds { get; set; } = 30;

    [Range(1, 60_000)]
    public int ReconnectMinDelayMilliseconds { get; set; } = 250;

    [Range(1, 600_000)]
    public int ReconnectMaxDelayMilliseconds { get; set; } = 10_000;

    /// <summary>Sends queued or awaiting the broker's confirmation at once; further sends wait (back-pressure).</summary>
    [Range(1, 1_000_000)]
    public int MaxPendingSends { get; set; } = 10_000;

    /// <summary>
    /// Most messages confirmed by one receipt. Sends that queue up while earlier ones are in flight go out as one
    /// STOMP transaction whose COMMIT receipt confirms them all: one journal sync on the broker instead of one each.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxSendBatch { get; set; } = 500;

    public override string ToString() => $"{Host}:{Port}";
}
