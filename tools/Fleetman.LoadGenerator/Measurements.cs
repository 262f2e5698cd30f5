using System.Collections.Concurrent;
using HdrHistogram;

namespace Fleetman.LoadGenerator;

internal enum RequestKind
{
    /// <summary><c>GET /api/vehicles/</c></summary>
    List,

    /// <summary><c>GET /api/vehicles/{name}</c></summary>
    Vehicle,

    /// <summary><c>GET /api/history/{name}</c></summary>
    History,
}

/// <summary>
/// Durations recorded from many threads into an HdrHistogram <see cref="Recorder"/> (microseconds, 3 significant
/// digits, up to an hour). The reporting loop takes what was recorded since its last look and adds it to the total.
/// </summary>
internal sealed class LatencyRecorder
{
    public const long HighestMicroseconds = 3_600_000_000;

    // The recorder makes reading safe beside recording, not recording beside recording: its histograms must take
    // concurrent writes themselves. A plain LongHistogram lost increments between users' threads, so its total
    // counted values its buckets did not hold, and reading its maximum threw mid-run.
    private readonly Recorder _recorder = new(1, HighestMicroseconds, 3, (id, lowest, highest, digits) => new LongConcurrentHistogram(id, lowest, highest, digits));
    private readonly LongHistogram _total = new(HighestMicroseconds, 3);
    private readonly Lock _sampling = new();

    public void Record(double milliseconds) =>
        _recorder.RecordValue(Math.Clamp((long)Math.Round(milliseconds * 1000), 0, HighestMicroseconds));

    /// <summary>What was recorded since the last call (also added to <see cref="Total"/>).</summary>
    public HistogramBase TakeInterval()
    {
        lock (_sampling)
        {
            var interval = _recorder.GetIntervalHistogram();
            _total.Add(interval);
            return interval;
        }
    }

    /// <summary>Everything taken so far.</summary>
    public HistogramBase Total
    {
        get
        {
            lock (_sampling)
            {
                return _total.Copy();
            }
        }
    }
}

/// <summary>Counters that only grow; the reporting loop subtracts two readings for a window.</summary>
internal sealed record Counters(
    long Requests, long RequestErrors, long RateLimited,
    long Frames, long Positions, long Snapshots, long LagAheadOfClock,
    long ConnectionsOpened, long ConnectFailures, long Reconnects, long ConnectionsLost,
    long Follows, long FollowFailures);

/// <summary>Everything the users measure, shared by all of them and safe to record into from any thread.</summary>
internal sealed class Measurements
{
    private readonly LatencyRecorder[] _latency = [.. Enum.GetValues<RequestKind>().Select(_ => new LatencyRecorder())];
    private readonly long[] _requests = new long[Enum.GetValues<RequestKind>().Length];
    private readonly long[] _errors = new long[Enum.GetValues<RequestKind>().Length];
    private readonly ConcurrentDictionary<string, long> _errorsByStatus = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _connectErrors = new(StringComparer.Ordinal);
    private long _rateLimited;
    private long _frames;
    private long _positions;
    private long _snapshots;
    private long _aheadOfClock;
    private long _opened;
    private long _connectFailures;
    private long _reconnects;
    private long _lost;
    private long _follows;
    private long _followFailures;
    private int _connected;
    private int _activeUsers;

    public LatencyRecorder PushLag { get; } = new();

    public LatencyRecorder Latency(RequestKind kind) => _latency[(int)kind];

    /// <summary>A request that got an answer: its latency counts, and it is an error unless 2xx.</summary>
    public void Answered(RequestKind kind, int status, TimeSpan latency)
    {
        Interlocked.Increment(ref _requests[(int)kind]);
        _latency[(int)kind].Record(latency.TotalMilliseconds);
        if (status is < 200 or > 299)
        {
            Failed(kind, status.ToString(System.Globalization.CultureInfo.InvariantCulture), counted: true);
            if (status == 429)
            {
                Interlocked.Increment(ref _rateLimited);
            }
        }
    }

    /// <summary>A request without an answer: <c>timeout</c> or <c>connection</c> (refused, reset, DNS...).</summary>
    public void Failed(RequestKind kind, string reason) => Failed(kind, reason, counted: false);

    private void Failed(RequestKind kind, string reason, bool counted)
    {
        if (!counted)
        {
            Interlocked.Increment(ref _requests[(int)kind]);
        }

        Interlocked.Increment(ref _errors[(int)kind]);
        _errorsByStatus.AddOrUpdate(reason, 1, (_, n) => n + 1);
    }

    public void Snapshot() => Interlocked.Increment(ref _snapshots);

    /// <summary>A <c>positions</c> frame: one push-lag sample per position (negative ones count as 0 and are counted).</summary>
    public void Frame(ReadOnlySpan<double> lagsMilliseconds)
    {
        Interlocked.Increment(ref _frames);
        Interlocked.Add(ref _positions, lagsMilliseconds.Length);
        var ahead = 0;
        foreach (var lag in lagsMilliseconds)
        {
            if (lag < 0)
            {
                ahead++;
            }

            PushLag.Record(Math.Max(0, lag));
        }

        if (ahead > 0)
        {
            Interlocked.Add(ref _aheadOfClock, ahead);
        }
    }

    public void ConnectionOpened() => Interlocked.Increment(ref _opened);

    public void ConnectFailed(string reason)
    {
        Interlocked.Increment(ref _connectFailures);
        _connectErrors.AddOrUpdate(reason, 1, (_, n) => n + 1);
    }

    public void Reconnecting() => Interlocked.Increment(ref _reconnects);

    public void ConnectionLost() => Interlocked.Increment(ref _lost);

    public void Followed(bool ok) => Interlocked.Increment(ref ok ? ref _follows : ref _followFailures);

    /// <summary>Hub connections up right now (+1 when one comes up, -1 when it goes down).</summary>
    public void ConnectedChanged(int delta) => Interlocked.Add(ref _connected, delta);

    public int ConnectedNow => Volatile.Read(ref _connected);

    public void UsersChanged(int delta) => Interlocked.Add(ref _activeUsers, delta);

    public int ActiveUsers => Volatile.Read(ref _activeUsers);

    public IReadOnlyDictionary<RequestKind, long> RequestsByKind =>
        Enum.GetValues<RequestKind>().ToDictionary(k => k, k => Interlocked.Read(ref _requests[(int)k]));

    public IReadOnlyDictionary<RequestKind, long> ErrorsByKind =>
        Enum.GetValues<RequestKind>().ToDictionary(k => k, k => Interlocked.Read(ref _errors[(int)k]));

    public SortedDictionary<string, long> ErrorsByStatus => new(_errorsByStatus, StringComparer.Ordinal);

    public SortedDictionary<string, long> ConnectErrors => new(_connectErrors, StringComparer.Ordinal);

    public Counters Read() => new(
        Requests: Sum(_requests),
        RequestErrors: Sum(_errors),
        RateLimited: Interlocked.Read(ref _rateLimited),
        Frames: Interlocked.Read(ref _frames),
        Positions: Interlocked.Read(ref _positions),
        Snapshots: Interlocked.Read(ref _snapshots),
        LagAheadOfClock: Interlocked.Read(ref _aheadOfClock),
        ConnectionsOpened: Interlocked.Read(ref _opened),
        ConnectFailures: Interlocked.Read(ref _connectFailures),
        Reconnects: Interlocked.Read(ref _reconnects),
        ConnectionsLost: Interlocked.Read(ref _lost),
        Follows: Interlocked.Read(ref _follows),
        FollowFailures: Interlocked.Read(ref _followFailures));

    private static long Sum(long[] counts)
    {
        long sum = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            sum += Interlocked.Read(ref counts[i]);
        }

        return sum;
    }
}
