using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Fleetman.Testing;

namespace Fleetman.Benchmarks.Live;

/// <summary>REST throughput and latency with wrk, straight to the api-gateway and through the edge.</summary>
internal static class Wrk
{
    internal static Task<(WrkResult Direct, WrkResult Edge, List<(WrkResult Direct, WrkResult Edge, int Seconds)> Rounds)> AlternatingWrkAsync(
        ServiceProcess direct, ServiceProcess edge, int seconds) =>
        AlternatingWrkAsync(new Uri(direct.Http.BaseAddress!, "/api/vehicles/").ToString(), new Uri(edge.Http.BaseAddress!, "/api/vehicles/").ToString(), seconds);

    /// <summary>One connection, rounds alternating two URLs (first, second, second, first, ...); medians over the rounds.</summary>
    internal static async Task<(WrkResult Direct, WrkResult Edge, List<(WrkResult Direct, WrkResult Edge, int Seconds)> Rounds)> AlternatingWrkAsync(
        string directUrl, string edgeUrl, int seconds)
    {
        const int Rounds = 6;
        var roundSeconds = Math.Max(2, seconds / 4);
        await RunWrkAsync(directUrl, 1, 5, 1); // warm-up: JIT, connection pools, caches
        await RunWrkAsync(edgeUrl, 1, 5, 1);
        var rounds = new List<(WrkResult Direct, WrkResult Edge, int Seconds)>();
        for (var round = 0; round < Rounds; round++)
        {
            // ABBA: direct first in rounds 0, 3, 4; edge first in rounds 1, 2, 5.
            var directFirst = round % 4 is 0 or 3;
            var first = await ParseWrkAsync(directFirst ? directUrl : edgeUrl, 1, roundSeconds, 1);
            var second = await ParseWrkAsync(directFirst ? edgeUrl : directUrl, 1, roundSeconds, 1);
            rounds.Add(directFirst ? (first, second, roundSeconds) : (second, first, roundSeconds));
        }

        return (MedianOf(rounds.Select(r => r.Direct)), MedianOf(rounds.Select(r => r.Edge)), rounds);

        static WrkResult MedianOf(IEnumerable<WrkResult> results)
        {
            var list = results.ToList();
            return new WrkResult(
                Median(list.Select(r => r.Rate)), Median(list.Select(r => r.P50)), Median(list.Select(r => r.P99)),
                list.Sum(r => r.Non2xxCount).ToString(CultureInfo.InvariantCulture),
                list.All(r => r.SocketErrorCount == 0) ? "none" : string.Join("; ", list.Select(r => r.Errors)),
                list.Sum(r => r.SocketErrorCount));
        }
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    internal static Task<WrkResult> WrkAsync(ServiceProcess target, int connections, int seconds, int threads = 2) =>
        WrkAsync(new Uri(target.Http.BaseAddress!, "/api/vehicles/").ToString(), connections, seconds, threads);

    /// <param name="header">One request header wrk sends with every request, e.g. <c>If-None-Match: W/"…"</c>.</param>
    internal static async Task<WrkResult> WrkAsync(string url, int connections, int seconds, int threads = 2, string? header = null)
    {
        await RunWrkAsync(url, connections, 5, threads, header); // warm-up: JIT, connection pools, caches
        return await ParseWrkAsync(url, connections, seconds, threads, header);
    }

    internal static async Task<WrkResult> ParseWrkAsync(string url, int connections, int seconds, int threads, string? header = null)
    {
        var output = await RunWrkAsync(url, connections, seconds, threads, header);
        double Latency(string label)
        {
            var match = Regex.Match(output, $@"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            if (!match.Success)
            {
                throw new InvalidOperationException($"no {label} latency in wrk's output:\n{output}");
            }

            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
        }

        var rate = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var non2xx = Regex.Match(output, @"Non-2xx or 3xx responses:\s+(\d+)") is { Success: true } n ? n.Groups[1].Value : "0";
        var errors = Regex.Match(output, @"Socket errors:(.*)$", RegexOptions.Multiline) is { Success: true } e ? e.Groups[1].Value.Trim() : "none";
        Console.WriteLine($"wrk -c{connections} {url}: {rate:N0} requests/s");
        // "connect 0, read 2, write 0, timeout 1": the sum, for the machine-readable results.
        var errorCount = Regex.Matches(errors, @"\d+").Sum(m => long.Parse(m.Value, CultureInfo.InvariantCulture));
        return new WrkResult(rate, Latency("50%"), Latency("99%"), non2xx, errors, errorCount);
    }

    internal static async Task<string> RunWrkAsync(string url, int connections, int seconds, int threads, string? header = null)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { $"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--timeout", "10s", "--latency", url })
        {
            start.ArgumentList.Add(arg);
        }

        if (header is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add(header);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException("wrk did not finish");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {await stderr}");
        }

        return await stdout;
    }
}

internal sealed record WrkResult(double Rate, double P50, double P99, string Non2xx, string Errors, long SocketErrorCount)
{
    public long Non2xxCount => long.Parse(Non2xx, CultureInfo.InvariantCulture);
}
