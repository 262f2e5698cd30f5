using System.Diagnostics;
using System.Globalization;
using System.Net;
using Fleetman.Testing;

namespace Fleetman.Benchmarks.Live;

/// <summary>
/// <c>GET /api/vehicles/</c> through the edge against the edge serving the same bytes as a static file, in the same run:
/// one connection (alternating rounds) and N connections; the 304 path; the bytes on the wire with and without
/// compression. Measured with the list at rest (the simulator stopped), so that it is the same list from request to
/// request, as a static file is, and a client's ETag stays current.
/// </summary>
internal static class ListVsStatic
{
    internal const string StaticFile = "bench-list.json";

    internal static async Task RunAsync(ServiceProcess edge, string webRoot, int connections, int seconds, BenchmarkResults results)
    {
        var (body, etag) = await RestingListAsync(edge);
        await File.WriteAllBytesAsync(Path.Combine(webRoot, StaticFile), body);
        var listUrl = new Uri(edge.Http.BaseAddress!, "/api/vehicles/").ToString();
        var staticUrl = new Uri(edge.Http.BaseAddress!, "/" + StaticFile).ToString();
        var gzip = await WireBytesAsync(edge, "gzip");
        var brotli = await WireBytesAsync(edge, "br");
        var notModified = await NotModifiedAsync(edge, etag);

        var (list1, static1, rounds) = await Wrk.AlternatingWrkAsync(listUrl, staticUrl, seconds);
        var ratio1 = Wrk.Median(rounds.Select(round => round.Direct.P50 / round.Edge.P50));
        var listN = await Wrk.WrkAsync(listUrl, connections, seconds);
        var staticN = await Wrk.WrkAsync(staticUrl, connections, seconds);
        var revalidated = await Wrk.WrkAsync(listUrl, 1, seconds, threads: 1, header: $"If-None-Match: {etag}");
        var compressed = await Wrk.WrkAsync(listUrl, 1, seconds, threads: 1, header: "Accept-Encoding: br");

        Console.WriteLine();
        Console.WriteLine($"The list against a static file of the same {body.Length:N0} bytes, both through the edge, the simulator stopped (the list at rest, {etag}):");
        Console.WriteLine();
        Console.WriteLine("| request | connections | requests/s | p50 | p99 | non-2xx/3xx | errors |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Row("GET /api/vehicles/", 1, list1);
        Row($"GET /{StaticFile} (static file)", 1, static1);
        Row("GET /api/vehicles/", connections, listN);
        Row($"GET /{StaticFile} (static file)", connections, staticN);
        Row("GET /api/vehicles/ with If-None-Match (304, no body)", 1, revalidated);
        Row("GET /api/vehicles/ with Accept-Encoding: br", 1, compressed);
        Console.WriteLine($"One connection: {rounds.Count} alternating rounds, medians; list p50 ÷ static p50, median of the rounds: {ratio1:F2}× (goal ≤ 2×).");
        Console.WriteLine($"{connections} connections: list req/s ÷ static req/s {listN.Rate / staticN.Rate:F2}× (goal ≥ 0.5×), list p99 {listN.P99:F1} ms (goal < 200 ms).");
        Console.WriteLine($"If-None-Match with the current ETag: {notModified}. Bytes on the wire per list: {body.Length:N0} plain, {gzip:N0} gzip, {brotli:N0} Brotli.");

        results.Add("list_bytes_identity", body.Length, "bytes");
        results.Add("list_bytes_gzip", gzip, "bytes");
        results.Add("list_bytes_br", brotli, "bytes");
        results.Add("list_304_verified", notModified == "304 with no body" ? 1 : 0, "yes");
        Record("list_1_connection_list", list1);
        Record("list_1_connection_static", static1);
        results.Add("list_1_connection_rounds", rounds.Count, "rounds");
        results.Add("list_1_connection_p50_ratio_median_of_rounds", ratio1, "×", decimals: 2);
        Record("list_n_connections_list", listN);
        Record("list_n_connections_static", staticN);
        Record("list_304_1_connection", revalidated);
        Record("list_br_1_connection", compressed);

        void Record(string prefix, WrkResult result)
        {
            results.Add($"{prefix}_requests_per_second", result.Rate, "req/s");
            results.Add($"{prefix}_p50_ms", result.P50, "ms", decimals: 2);
            results.Add($"{prefix}_p99_ms", result.P99, "ms", decimals: 2);
            results.Add($"{prefix}_errors", result.Non2xxCount + result.SocketErrorCount, "responses");
        }
    }

    private static void Row(string request, int connections, WrkResult result) =>
        Console.WriteLine($"| {request} | {connections} | {result.Rate:N0} | {result.P50:F2} ms | {result.P99:F2} ms | {result.Non2xx} | {result.Errors} |");

    /// <summary>The list once its ETag has stayed the same for 2 s (the queue-consumer has drained what was published).</summary>
    private static async Task<(byte[] Body, string ETag)> RestingListAsync(ServiceProcess edge)
    {
        var clock = Stopwatch.StartNew();
        string? last = null;
        var since = TimeSpan.Zero;
        while (true)
        {
            using var response = await edge.Http.GetAsync(new Uri("/api/vehicles/", UriKind.Relative));
            var body = await response.Content.ReadAsByteArrayAsync();
            var etag = response.Headers.ETag?.ToString();
            if (etag is not null && etag == last && clock.Elapsed - since >= TimeSpan.FromSeconds(2))
            {
                return (body, etag);
            }

            if (etag != last)
            {
                (last, since) = (etag, clock.Elapsed);
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException($"the list did not come to rest within 90 s (last ETag {last ?? "none"})");
            }

            await Task.Delay(250);
        }
    }

    private static async Task<long> WireBytesAsync(ServiceProcess edge, string encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/vehicles/");
        request.Headers.AcceptEncoding.ParseAdd(encoding);
        using var response = await edge.Http.SendAsync(request);
        if (!response.Content.Headers.ContentEncoding.Contains(encoding))
        {
            throw new InvalidOperationException($"the list came back without Content-Encoding: {encoding}");
        }

        return (await response.Content.ReadAsByteArrayAsync()).Length;
    }

    private static async Task<string> NotModifiedAsync(ServiceProcess edge, string etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/vehicles/");
        request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var response = await edge.Http.SendAsync(request);
        var length = (await response.Content.ReadAsByteArrayAsync()).Length;
        return response.StatusCode == HttpStatusCode.NotModified && length == 0
            ? "304 with no body"
            : string.Create(CultureInfo.InvariantCulture, $"{(int)response.StatusCode} with {length} bytes");
    }
}
