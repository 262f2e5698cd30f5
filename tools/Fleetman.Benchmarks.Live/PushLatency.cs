using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Fleetman.Contracts;
using Fleetman.Testing;
using Polly;
using Polly.Retry;

namespace Fleetman.Benchmarks.Live;

/// <summary>Push latency: N SignalR clients through the edge, timed from the queue-consumer's write and the simulator's send.</summary>
internal static class PushLatency
{
    // The api-gateway's hub_push_lag histogram as Prometheus exposes it: cumulative buckets, sum and count.
    internal static async Task<LagHistogram> PushLagAsync(ServiceProcess api)
    {
        var text = await api.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var buckets = new SortedDictionary<double, double>();
        double sum = 0, count = 0;
        foreach (Match m in Regex.Matches(text, @"^fleetman_apigateway_hub_push_lag\w*?_(bucket|sum|count)(\{[^}]*\})?\s+(\S+)", RegexOptions.Multiline))
        {
            var value = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            switch (m.Groups[1].Value)
            {
                case "bucket":
                    var le = Regex.Match(m.Groups[2].Value, "le=\"([^\"]+)\"").Groups[1].Value;
                    var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
                    buckets[bound] = buckets.GetValueOrDefault(bound) + value;
                    break;
                case "sum":
                    sum += value;
                    break;
                default:
                    count += value;
                    break;
            }
        }

        return new LagHistogram(buckets, sum, count);
    }

    /// <param name="timedClients">How many of the <paramref name="count"/> clients time every position they get (spread
    /// evenly); the others only count theirs (see <see cref="PushRecorder"/>).</param>
    internal static async Task<PushResult> PushLatencyAsync(IsolatedRun run, ServiceProcess edge, ServiceProcess api, int count, int timedClients, int seconds, BenchmarkResults results)
    {
        // The queue-consumer's write time of every position, heard on the run's topic like the api-gateway hears it.
        // Every report of a vehicle from before the clients connect until the late ones are matched after the run (the
        // simulator reports once a second): connecting takes well under two minutes.
        var storedAt = new StoredAtLog(keptPerVehicle: seconds + 120);
        await using var broker = await run.Broker.ConnectAsync();
        await using var listener = broker.Listen<VehiclePositionsUpdated>(run.Topic, topic: true, (update, _) =>
        {
            var stored = update.StoredAt.UtcTicks;
            foreach (var position in update.Positions)
            {
                storedAt.Add(position.Vehicle, position.Time.UtcTicks, stored);
            }
        });

        var hubUrl = new Uri(edge.Http.BaseAddress!, "/hubs/vehicles");
        var timedEvery = Math.Max(1, count / Math.Clamp(timedClients, 1, count));
        var recorders = Enumerable.Range(0, count).Select(i => new PushRecorder(storedAt, timed: i % timedEvery == 0)).ToArray();
        var connections = new LightHubClient[count];
        var disconnected = 0;
        var retries = 0;
        // Hundreds of connects at once: one refused now and then is tried twice more, half a second apart.
        var connectRetry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(),
            MaxRetryAttempts = 2,
            BackoffType = DelayBackoffType.Constant,
            Delay = TimeSpan.FromMilliseconds(500),
            UseJitter = false,
            OnRetry = _ =>
            {
                Interlocked.Increment(ref retries);
                return default;
            },
        }).Build();
        var clock = Stopwatch.StartNew();
        double elapsed;
        (double Api, double Edge, double Clients) cpuBefore, cpuAfter;
        LagHistogram lag;
        long[] ownLateness;
        try
        {
            for (var start = 0; start < count; start += 10)
            {
                await Task.WhenAll(Enumerable.Range(start, Math.Min(10, count - start)).Select(async i =>
                {
                    var recorder = recorders[i];
                    connections[i] = await connectRetry.ExecuteAsync(async _ => await LightHubClient.ConnectAsync(hubUrl, recorder.Read, () =>
                    {
                        if (recorder.Measuring)
                        {
                            Interlocked.Increment(ref disconnected);
                        }
                    }));
                }));
            }

            Console.WriteLine($"{count} clients connected through the edge in {clock.Elapsed.TotalSeconds:F1} s ({retries} connects retried); measuring for {seconds} s");
            results.Add("push_connect_seconds", clock.Elapsed.TotalSeconds, "s", decimals: 1);
            results.Add("push_connect_retries", retries, "connects");
            await Task.Delay(1_000); // the snapshots are written and read
            var lagBefore = await PushLagAsync(api);
            cpuBefore = CpuSeconds(api, edge);
            clock.Restart();
            SetMeasuring(true);
            using (var stopProbe = new CancellationTokenSource(TimeSpan.FromSeconds(seconds)))
            {
                ownLateness = await OwnLatenessAsync(stopProbe.Token);
            }

            SetMeasuring(false);
            elapsed = clock.Elapsed.TotalSeconds;
            cpuAfter = CpuSeconds(api, edge);
            lag = (await PushLagAsync(api)).Minus(lagBefore);

            await Task.Delay(200); // messages being read are finished
        }
        finally
        {
            // Also the clients that did connect when another one could not.
            foreach (var chunk in connections.Where(c => c is not null).Chunk(50))
            {
                await Task.WhenAll(chunk.Select(c => c.DisposeAsync().AsTask()));
            }
        }

        await Task.Delay(1_000); // the listener hears the last writes
        await listener.DisposeAsync();
        foreach (var recorder in recorders)
        {
            recorder.MatchLateWrites();
        }

        var timed = recorders.Where(r => r.Timed).ToArray();
        var sinceSent = Sum(timed.Select(r => r.SinceSent));
        var sinceStored = Sum(timed.Select(r => r.SinceStored));
        return new PushResult(
            recorders.Sum(r => r.Positions),
            recorders.Sum(r => r.Frames),
            timed.Length,
            sinceSent.Sum(),
            elapsed,
            Percentile(sinceSent, 50),
            Percentile(sinceSent, 99),
            Percentile(sinceStored, 50),
            Percentile(sinceStored, 99),
            timed.Max(r => r.MaxSinceStored),
            timed.Sum(r => r.Unmatched),
            recorders.Count(r => r.Snapshot),
            disconnected,
            recorders.Sum(r => r.Negative),
            lag,
            (cpuAfter.Api - cpuBefore.Api) / elapsed,
            (cpuAfter.Edge - cpuBefore.Edge) / elapsed,
            (cpuAfter.Clients - cpuBefore.Clients) / elapsed,
            Percentile(ownLateness, 50),
            Percentile(ownLateness, 99));

        // How late this process (the clients) runs what it was due to: a 10 ms wait, again and again until stopped, and
        // by how much each returned late (whole ms). A receive loop that is due waits as long for a thread, so its
        // stamp is late by as much: that part of the figures is the clients', not the push's.
        static async Task<long[]> OwnLatenessAsync(CancellationToken stop)
        {
            var late = new long[PushRecorder.Buckets];
            var due = TimeSpan.FromMilliseconds(10);
            while (!stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await Task.Delay(due, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                var lateBy = (Stopwatch.GetElapsedTime(start) - due).TotalMilliseconds;
                late[Math.Clamp((int)lateBy, 0, late.Length - 1)]++;
            }

            return late;
        }

        // CPU time so far of the api-gateway, the edge and this process (the clients), in seconds.
        static (double Api, double Edge, double Clients) CpuSeconds(ServiceProcess api, ServiceProcess edge)
        {
            static double Of(Process process)
            {
                using (process)
                {
                    return process.TotalProcessorTime.TotalSeconds;
                }
            }

            static double OfService(int? pid) => pid is { } id ? Of(Process.GetProcessById(id)) : double.NaN;
            return (OfService(api.ProcessId), OfService(edge.ProcessId), Of(Process.GetCurrentProcess()));
        }

        void SetMeasuring(bool on)
        {
            foreach (var recorder in recorders)
            {
                recorder.Measuring = on;
            }
        }

        static long[] Sum(IEnumerable<long[]> histograms)
        {
            var sum = new long[PushRecorder.Buckets];
            foreach (var histogram in histograms)
            {
                for (var b = 0; b < sum.Length; b++)
                {
                    sum[b] += histogram[b];
                }
            }

            return sum;
        }
    }

    // The bucket (whole ms) under which the percentile lies; the last bucket holds everything from 10 s on, so there the
    // value is a lower bound (printed "≥ 10000").
    internal static PercentileValue Percentile(long[] histogram, double percentile)
    {
        var total = histogram.Sum();
        if (total == 0)
        {
            return PercentileValue.None;
        }

        var rank = (long)Math.Ceiling(percentile / 100 * total);
        long seen = 0;
        for (var b = 0; b < histogram.Length; b++)
        {
            seen += histogram[b];
            if (seen >= rank)
            {
                return b == histogram.Length - 1 ? new($"≥ {b}", b) : new((b + 1).ToString(CultureInfo.InvariantCulture), b + 1);
            }
        }

        return PercentileValue.None;
    }
}

/// <summary>What the push clients measured: latency since the simulator sent (P50/P99) and since the queue-consumer wrote (Written*).</summary>
internal sealed record PushResult(
    long Positions, long Frames, int TimedClients, long TimedPositions, double Seconds, PercentileValue P50, PercentileValue P99,
    PercentileValue WrittenP50, PercentileValue WrittenP99, double WrittenMax, long Unmatched,
    int Snapshots, int Disconnected, long Negative, LagHistogram Lag,
    double ApiCores, double EdgeCores, double ClientCores, PercentileValue OwnLatenessP50, PercentileValue OwnLatenessP99);

/// <summary>A latency percentile as printed (<c>Text</c>) and as a number of milliseconds (NaN when there were no samples).</summary>
internal sealed record PercentileValue(string Text, double Milliseconds)
{
    public static readonly PercentileValue None = new("n/a", double.NaN);
}

internal sealed record LagHistogram(SortedDictionary<double, double> Buckets, double Sum, double Count)
{
    public double Mean => Count == 0 ? double.NaN : Sum / Count;

    public LagHistogram Minus(LagHistogram before) =>
        new(new SortedDictionary<double, double>(Buckets.ToDictionary(b => b.Key, b => b.Value - before.Buckets.GetValueOrDefault(b.Key))), Sum - before.Sum, Count - before.Count);

    /// <summary>The upper bound of the bucket the quantile lies in; NaN when there is nothing to rank.</summary>
    public double Quantile(double q)
    {
        foreach (var (bound, cumulative) in Buckets)
        {
            if (Count > 0 && cumulative >= q * Count)
            {
                return bound;
            }
        }

        return double.NaN;
    }

    public static string Bound(double bound) =>
        double.IsNaN(bound) ? "n/a" : double.IsPositiveInfinity(bound) ? "∞" : bound.ToString("0.##", CultureInfo.InvariantCulture);
}
