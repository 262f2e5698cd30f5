namespace Fleetman.Messaging;

/// <summary>A destination: a queue (competing consumers) or a topic (every subscriber gets a copy).</summary>
internal readonly record struct Destination
{
    private Destination(string path) => Path = path;

    /// <summary>The STOMP destination header value, e.g. <c>/queue/positionQueue</c>.</summary>
    public string Path { get; }

    /// <summary>The queue or topic name without its prefix.</summary>
    public string Name => Path[(Path.IndexOf('/', 1) + 1)..];

    public bool IsQueue => Path.StartsWith("/queue/", StringComparison.Ordinal);

    public static Destination Queue(string name) => new("/queue/" + CheckName(name));

    public static Destination Topic(string name) => new("/topic/" + CheckName(name));

    /// <summary>The dead-letter queue ActiveMQ's individual dead-letter strategy gives a queue (<c>DLQ.&lt;queue&gt;</c>).</summary>
    public Destination DeadLetterQueue => IsQueue
        ? Queue("DLQ." + Name)
        : throw new InvalidOperationException($"Only queues have dead-letter queues; {Path} is a topic.");

    /// <summary>The same kind of destination under another name.</summary>
    public Destination Renamed(string name) => IsQueue ? Queue(name) : Topic(name);

    public static bool IsValidName(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name.AsSpan().IndexOfAny("/\r\n\0") < 0;

    public override string ToString() => Path;

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid queue or topic name.", nameof(name));
        }

        return name;
    }
}
