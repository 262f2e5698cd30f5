namespace Fleetman.Testing;

/// <summary>How an <see cref="UnreachableBroker"/> is out of reach; a theory's rows show the name (<c>kind: SilentPort</c>).</summary>
public enum UnreachableBrokerKind
{
    /// <summary><c>broker.invalid</c>: the name does not resolve.</summary>
    UnresolvableName,

    /// <summary>A port on 127.0.0.1 that accepts connections and never answers.</summary>
    SilentPort,
}

/// <summary>
/// A broker a service cannot reach: its name does not resolve (<c>broker.invalid</c>, as the course's
/// <c>fleetman-queue</c> before the queue exists), or its port accepts and never answers (a <see cref="SilentServer"/>).
/// With <see cref="ServiceProcess.SmallThreadPool"/>, for the tests that a service stays live whatever its broker does.
/// </summary>
public sealed class UnreachableBroker : IAsyncDisposable
{
    private readonly SilentServer _silent = new();

    public UnreachableBroker(UnreachableBrokerKind kind) =>
        (Host, Port) = kind switch
        {
            UnreachableBrokerKind.UnresolvableName => ("broker.invalid", 61613),
            UnreachableBrokerKind.SilentPort => ("127.0.0.1", _silent.Port),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

    public string Host { get; }

    public int Port { get; }

    /// <summary>How the service's readiness names this broker while it is not connected.</summary>
    public string NotConnected => $"Not connected to the broker at {Host}:{Port}";

    /// <summary>A service's environment: two pool threads, this broker (tried for 1 s per connection), then <paramref name="settings"/>.</summary>
    public Dictionary<string, string?> Environment(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var environment = new Dictionary<string, string?>(ServiceProcess.SmallThreadPool)
        {
            ["Broker__Host"] = Host,
            ["Broker__Port"] = Port.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
            ["Broker__ConnectTimeoutSeconds"] = "1",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return environment;
    }

    public ValueTask DisposeAsync() => _silent.DisposeAsync();
}
