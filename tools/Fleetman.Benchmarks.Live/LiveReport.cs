using System.Globalization;

namespace Fleetman.Benchmarks.Live;

/// <summary>What the live benchmark prints (its Markdown tables) and records (its results file), measurement by measurement.</summary>
internal static class LiveReport
{
    /// <summary>Push latency through the edge, and the hub's own part of it.</summary>
    internal static void Push(PushResult push, int clients, int vehicles, int seconds, BenchmarkResults results)
    {
        var lag = push.Lag;
        Console.WriteLine();
        Console.WriteLine($"Push latency: {clients} SignalR clients (JSON protocol, WebSockets) through the edge gateway, {vehicles:N0} simulated vehicles reporting every second (time compression 1), measured for {seconds} s after all clients connected.");
        Console.WriteLine($"Every client counts its frames and positions; {push.TimedClients} of them (spread evenly) stamp a frame when its last byte arrives, then time every position in it: from the queue-consumer's write (the storedAt of the vehicle-updates");
        Console.WriteLine("notification that carried it, heard on the same topic) and from the simulator's send (the position's `time`; adds the broker and the consumer's batching and store).");
        Console.WriteLine();
        Console.WriteLine("| clients | positions received | positions/s (all clients) | frames/s (all clients) | write→client p50 | write→client p99 | write→client max | send→client p50 | send→client p99 | goal |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine($"| {clients} | {push.Positions:N0} | {push.Positions / push.Seconds:N0} | {push.Frames / push.Seconds:N0} | {push.WrittenP50.Text} ms | {push.WrittenP99.Text} ms | {push.WrittenMax:F0} ms | {push.P50.Text} ms | {push.P99.Text} ms | write→client p99 < 150 ms |");
        Console.WriteLine($"The hub's own part, from its `hub_push_lag` histogram (queue-consumer stored the oldest update of a frame → frame written, per frame, {lag.Count:N0} frames in the same window): mean {lag.Mean:F0} ms, p50 ≤ {LagHistogram.Bound(lag.Quantile(0.5))} ms, p99 ≤ {LagHistogram.Bound(lag.Quantile(0.99))} ms (bucket bounds).");
        Console.WriteLine($"The clients' own lateness (a 10 ms wait in their process, repeated while measuring: how late it returned; a frame's stamp waits as long for a thread): p50 {push.OwnLatenessP50.Text} ms, p99 {push.OwnLatenessP99.Text} ms; {push.TimedPositions:N0} positions timed.");
        Console.WriteLine($"CPU while measuring, in cores: api-gateway {push.ApiCores:F2}, edge {push.EdgeCores:F2}, the {clients} clients {push.ClientCores:F2} (of {Environment.ProcessorCount}).");
        Console.WriteLine($"(1 ms buckets; {push.Snapshots} of {clients} clients got their snapshot, {push.Disconnected} disconnected during the run, {push.Negative} samples below 0 ms counted as 0, {push.Unmatched} positions whose write was never heard on the topic.)");
        results.Add("push_positions_received", push.Positions, "positions");
        results.Add("push_timed_clients", push.TimedClients, "clients");
        results.Add("push_positions_timed", push.TimedPositions, "positions");
        results.Add("push_clients_own_lateness_p50_ms", push.OwnLatenessP50.Milliseconds, "ms");
        results.Add("push_clients_own_lateness_p99_ms", push.OwnLatenessP99.Milliseconds, "ms");
        results.Add("push_positions_per_second", push.Positions / push.Seconds, "positions/s");
        results.Add("push_frames_per_second", push.Frames / push.Seconds, "frames/s");
        results.Add("push_p50_ms", push.P50.Milliseconds, "ms");
        results.Add("push_p99_ms", push.P99.Milliseconds, "ms");
        results.Add("push_write_p50_ms", push.WrittenP50.Milliseconds, "ms");
        results.Add("push_write_p99_ms", push.WrittenP99.Milliseconds, "ms");
        results.Add("push_write_max_ms", push.WrittenMax, "ms");
        results.Add("push_write_unmatched", push.Unmatched, "positions");
        results.Add("hub_push_lag_frames", lag.Count, "frames");
        results.Add("hub_push_lag_mean_ms", lag.Mean, "ms");
        results.Add("hub_push_lag_p50_ms_bound", lag.Quantile(0.5), "ms", decimals: 2);
        results.Add("hub_push_lag_p99_ms_bound", lag.Quantile(0.99), "ms", decimals: 2);
        results.Add("push_clients_with_snapshot", push.Snapshots, "clients");
        results.Add("push_clients_disconnected", push.Disconnected, "clients");
        results.Add("push_samples_below_zero", push.Negative, "samples");
        results.Add("push_api_gateway_cores", push.ApiCores, "cores", decimals: 2);
        results.Add("push_edge_cores", push.EdgeCores, "cores", decimals: 2);
        results.Add("push_clients_cores", push.ClientCores, "cores", decimals: 2);
    }

    /// <summary>The list straight from the api-gateway and through the edge: N connections, then one.</summary>
    internal static void Rest(
        WrkResult direct,
        WrkResult viaEdge,
        WrkResult directSingle,
        WrkResult viaEdgeSingle,
        List<(WrkResult Direct, WrkResult Edge, int Seconds)> singleRounds,
        int clients,
        int vehicles,
        int seconds,
        int rateLimit,
        BenchmarkResults results)
    {
        Console.WriteLine();
        Console.WriteLine($"REST: `GET /api/vehicles/` ({vehicles:N0} vehicles in each answer), wrk -t2 -c{clients} -d{seconds}s --latency after a 5 s warm-up, the simulator still publishing, no hub clients.");
        Console.WriteLine($"The edge's API rate limit was raised for this run: Gateway__ApiRateLimit__PermitsPerSecond={rateLimit} (default 20).");
        results.Add("edge_api_rate_limit", rateLimit, "permits/s");
        Console.WriteLine();
        PrintRestTable(direct, viaEdge, viaEdge.Rate - direct.Rate, viaEdge.P50 - direct.P50, viaEdge.P99 - direct.P99);
        RecordRest("rest_n_connections", direct, viaEdge, results);
        Console.WriteLine();
        Console.WriteLine($"The same with one connection: what the edge adds to one request when nothing waits in a queue. {singleRounds.Count} rounds of wrk -t1 -c1 -d{singleRounds[0].Seconds}s --latency per path, alternating the order; medians over the rounds (the edge − direct row: the median of each round's difference).");
        Console.WriteLine();
        var singleP50 = Wrk.Median(singleRounds.Select(round => round.Edge.P50 - round.Direct.P50));
        var singleP99 = Wrk.Median(singleRounds.Select(round => round.Edge.P99 - round.Direct.P99));
        PrintRestTable(directSingle, viaEdgeSingle, Wrk.Median(singleRounds.Select(round => round.Edge.Rate - round.Direct.Rate)), singleP50, singleP99);
        Console.WriteLine($"Each round's p50 difference: {string.Join(", ", singleRounds.Select(round => (round.Edge.P50 - round.Direct.P50).ToString("+0.00;-0.00", CultureInfo.InvariantCulture)))} ms.");
        RecordRest("rest_1_connection", directSingle, viaEdgeSingle, results);
        // The per-round medians replace the difference of the two medians (they are what the goal is judged on).
        results.Add("rest_1_connection_rounds", singleRounds.Count, "rounds");
        results.Add("rest_1_connection_edge_minus_direct_p50_ms_median_of_rounds", singleP50, "ms", decimals: 2);
        Console.WriteLine("Goal: the edge adds at most 0.5 ms at p50.");
    }

    /// <summary>
    /// Time to the first paint of every vehicle, per load, with the page's phases; null when the browser was skipped.
    /// <paramref name="idle"/>: measured with the simulator stopped (the same list, nothing else busy); <paramref name="warm"/>:
    /// each load in a fresh context of a browser already running (else a browser started per load, cold).
    /// </summary>
    internal static void FirstPaints(List<PaintTiming>? paints, int vehicles, bool idle, BenchmarkResults results, bool warm = false)
    {
        if (paints is null)
        {
            Console.WriteLine();
            Console.WriteLine("First paint in Chromium: skipped (--no-browser).");
            return;
        }

        var key = (warm ? "first_paint_warm" : "first_paint") + (idle ? "_idle" : "");
        Console.WriteLine();
        Console.WriteLine($"First paint in Chromium ({FirstPaint.BrowserVersion()}, headless, tiles off), {(idle ? "the simulator stopped (the services idle, the same list)" : $"{vehicles:N0} vehicles reporting every second")}: from navigation start (performance.timeOrigin) to `window.fleetman.vehicleCount() >= {vehicles}`, checked every animation frame; {(warm ? "a browser already running, a fresh empty context (no cache, no cookies) per load" : "a cold start: a browser started with an empty profile per load")}, through the edge. Phases from the page's marks: download (the script's last byte), script (parsed and evaluated until main runs), settings (config.json), start (map, list, panels made; the REST list requested, the SignalR client loaded after it), vehicles (until the first arrive), drawing (until all are).");
        Console.WriteLine();
        var phaseNames = paints[0].Phases().Select(p => p.Name).ToList();
        Console.WriteLine($"| load | first paint of all vehicles | {string.Join(" | ", phaseNames)} |");
        Console.WriteLine($"|---|---|{string.Concat(phaseNames.Select(_ => "---|"))}");
        for (var i = 0; i < paints.Count; i++)
        {
            Console.WriteLine($"| {i + 1} | {paints[i].Total:N0} ms | {string.Join(" | ", paints[i].Phases().Select(p => $"{p.Ms:N0} ms"))} |");
            results.Add($"{key}_ms_load{i + 1}", paints[i].Total, "ms");
        }

        var median = paints.OrderBy(p => p.Total).ElementAt(paints.Count / 2);
        Console.WriteLine($"| median | {median.Total:N0} ms | {string.Join(" | ", median.Phases().Select(p => $"{p.Ms:N0} ms"))} |");
        results.Add($"{key}_median_ms", median.Total, "ms");
        foreach (var (name, ms) in median.Phases().Where(p => !double.IsNaN(p.Ms)))
        {
            // The phases of the median load (not medians of each phase: those would not add up).
            results.Add($"{key}_median_phase_{name}_ms", ms, "ms");
        }
    }

    /// <summary>
    /// The table of one wrk comparison: both paths, then the edge − direct row from the differences given (of the two
    /// results for N connections, the medians of the rounds' differences for one).
    /// </summary>
    private static void PrintRestTable(WrkResult straight, WrkResult throughEdge, double rateDifference, double p50Difference, double p99Difference)
    {
        Console.WriteLine("| path | requests/s | p50 | p99 | non-2xx | errors |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (path, result) in new[] { ("straight to api-gateway", straight), ("through the edge gateway", throughEdge) })
        {
            Console.WriteLine($"| {path} | {result.Rate:N0} | {result.P50:F2} ms | {result.P99:F2} ms | {result.Non2xx} | {result.Errors} |");
        }

        Console.WriteLine($"| edge − direct | {rateDifference:N0} | {p50Difference:+0.00;-0.00} ms | {p99Difference:+0.00;-0.00} ms | | |");
    }

    /// <summary>Both paths of one wrk comparison and the edge − direct row, as the tables print them.</summary>
    private static void RecordRest(string prefix, WrkResult straight, WrkResult throughEdge, BenchmarkResults results)
    {
        foreach (var (path, result) in new[] { ("direct", straight), ("edge", throughEdge) })
        {
            results.Add($"{prefix}_{path}_requests_per_second", result.Rate, "req/s");
            results.Add($"{prefix}_{path}_p50_ms", result.P50, "ms", decimals: 2);
            results.Add($"{prefix}_{path}_p99_ms", result.P99, "ms", decimals: 2);
            results.Add($"{prefix}_{path}_non2xx", result.Non2xxCount, "responses");
            results.Add($"{prefix}_{path}_socket_errors", result.SocketErrorCount, "errors");
        }

        results.Add($"{prefix}_edge_minus_direct_requests_per_second", throughEdge.Rate - straight.Rate, "req/s");
        results.Add($"{prefix}_edge_minus_direct_p50_ms", throughEdge.P50 - straight.P50, "ms", decimals: 2);
        results.Add($"{prefix}_edge_minus_direct_p99_ms", throughEdge.P99 - straight.P99, "ms", decimals: 2);
    }
}
