using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Fleetman.Contracts.Api;

namespace Fleetman.Benchmarks.Live;

/// <summary>
/// When the queue-consumer wrote each position: the <c>storedAt</c> of the vehicle-updates notification that carried
/// it, heard on the run's topic beside the api-gateway. Lets a client turn "I received (vehicle, time)" into
/// consumer-write→client, the figure the push goal is set on. Filled by one listener, read by every client at once.
/// </summary>
internal sealed class StoredAtLog
{
    private readonly ConcurrentDictionary<string, VehicleTimes> _vehicles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, VehicleTimes>.AlternateLookup<ReadOnlySpan<char>> _byName;
    private readonly int _keptPerVehicle;

    /// <param name="keptPerVehicle">How many reports of each vehicle are kept, the newest ones.</param>
    public StoredAtLog(int keptPerVehicle)
    {
        _keptPerVehicle = keptPerVehicle;
        _byName = _vehicles.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public void Add(string vehicle, long timeTicks, long storedAtTicks) =>
        _vehicles.GetOrAdd(vehicle, static (_, kept) => new VehicleTimes(kept), _keptPerVehicle).Add(timeTicks, storedAtTicks);

    /// <summary>The storedAt ticks of the vehicle's position at <paramref name="timeTicks"/>, or null when not heard (yet).</summary>
    public long? Find(ReadOnlySpan<char> vehicle, long timeTicks) =>
        _byName.TryGetValue(vehicle, out var times) ? times.Find(timeTicks) : null;

    /// <summary>The vehicle's last reports, in a ring.</summary>
    private sealed class VehicleTimes(int kept)
    {
        private readonly Lock _lock = new();
        private readonly (long Time, long StoredAt)[] _ring = new (long, long)[kept];
        private int _next;

        public void Add(long timeTicks, long storedAtTicks)
        {
            lock (_lock)
            {
                _ring[_next] = (timeTicks, storedAtTicks);
                _next = (_next + 1) % kept;
            }
        }

        public long? Find(long timeTicks)
        {
            lock (_lock)
            {
                // Newest first: a client almost always asks for one of the last two.
                for (var i = 1; i <= kept; i++)
                {
                    var (time, storedAt) = _ring[(_next - i + kept) % kept];
                    if (time == timeTicks && storedAt != 0)
                    {
                        return storedAt;
                    }
                }
            }

            return null;
        }
    }
}

/// <summary>
/// One client's latencies, as histograms of whole milliseconds: from the simulator's send (the position's
/// <c>time</c>) and from the queue-consumer's write (<see cref="StoredAtLog"/>) to the moment the frame arrived.
/// A client's messages are read one at a time, so nothing here is shared.
/// <para>
/// Only a <paramref name="timed"/> client parses its frames and times every position; the others count their frames
/// and positions without parsing (a quarter of the clients' CPU when 50 of 500 time: for comparing runs that leave
/// the services more of the cores).
/// </para>
/// </summary>
internal sealed class PushRecorder(StoredAtLog storedAt, bool timed)
{
    public const int Buckets = 10_001;

    public long[] SinceSent { get; } = new long[Buckets];

    public long[] SinceStored { get; } = new long[Buckets];

    public long Frames { get; private set; }

    /// <summary>Positions received in <c>positions</c> frames while measuring, timed or not.</summary>
    public long Positions { get; private set; }

    public bool Timed => timed;

    public double MaxSinceStored { get; private set; }

    public long Negative { get; private set; }

    /// <summary>Positions whose write was never heard on the topic (counted in <see cref="SinceSent"/> only).</summary>
    public long Unmatched { get; private set; }

    private static readonly byte[] PositionsTarget = Encoding.UTF8.GetBytes($"\"target\":\"{VehicleHubMethods.Positions}\"");

    private readonly List<(string Vehicle, long Time, long ReceivedTicks)> _heardLater = [];

    public bool Snapshot { get; private set; }

    private volatile bool _measuring;

    /// <summary>Set and cleared by the benchmark, read by the client's receive loop.</summary>
    public bool Measuring
    {
        get => _measuring;
        set => _measuring = value;
    }

    /// <summary>Reads one hub message: the snapshot is noted, a <c>positions</c> frame is timed position by position.</summary>
    public void Read(ReadOnlySpan<byte> message, long receivedTicks)
    {
        if (!timed && Snapshot)
        {
            if (Measuring && message.IndexOf(PositionsTarget) >= 0)
            {
                // A position is a flat object: the frame's objects are the message and one per position.
                Frames++;
                Positions += message.Count((byte)'{') - 1;
            }

            return;
        }

        var reader = new Utf8JsonReader(message);
        reader.Read(); // the message object
        string? target = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("target"u8))
            {
                reader.Read();
                target = reader.GetString();
                if (target == VehicleHubMethods.Snapshot)
                {
                    Snapshot = true;
                }
            }
            else if (reader.ValueTextEquals("arguments"u8) && target == VehicleHubMethods.Positions)
            {
                if (Measuring)
                {
                    reader.Read(); // [ the arguments
                    reader.Read(); // [ the positions
                    Positions += ReadPositions(ref reader, receivedTicks);
                    Frames++;
                }

                return;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private int ReadPositions(ref Utf8JsonReader reader, long receivedTicks)
    {
        Span<char> name = stackalloc char[256];
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var nameLength = 0;
            long time = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    nameLength = reader.CopyString(name);
                }
                else if (reader.ValueTextEquals("time"u8))
                {
                    reader.Read();
                    time = reader.GetDateTimeOffset().UtcTicks;
                }
                else
                {
                    reader.Read();
                }
            }

            count++;
            Add(SinceSent, receivedTicks - time);
            if (storedAt.Find(name[..nameLength], time) is { } stored)
            {
                MaxSinceStored = Math.Max(MaxSinceStored, Add(SinceStored, receivedTicks - stored));
            }
            else
            {
                // The topic listener runs on this busy process too and can hear the write after the frame arrived.
                _heardLater.Add((name[..nameLength].ToString(), time, receivedTicks));
            }
        }

        return count;
    }

    /// <summary>After the run: times the positions whose write the listener heard only after the frame arrived.</summary>
    public void MatchLateWrites()
    {
        foreach (var (vehicle, time, received) in _heardLater)
        {
            if (storedAt.Find(vehicle, time) is { } stored)
            {
                MaxSinceStored = Math.Max(MaxSinceStored, Add(SinceStored, received - stored));
            }
            else
            {
                Unmatched++;
            }
        }

        _heardLater.Clear();
    }

    private double Add(long[] histogram, long ticks)
    {
        var milliseconds = (double)ticks / TimeSpan.TicksPerMillisecond;
        if (milliseconds < 0)
        {
            Negative++;
            milliseconds = 0;
        }

        histogram[Math.Min((int)milliseconds, Buckets - 1)]++;
        return milliseconds;
    }
}
