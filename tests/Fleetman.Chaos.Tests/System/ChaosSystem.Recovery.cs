namespace Fleetman.Chaos.Tests.System;

/// <summary>Faults and the measurement of how long the system takes to serve fresh positions again.</summary>
public sealed partial class ChaosSystem
{
    /// <summary>
    /// Injects a fault: <paramref name="strike"/> breaks something (a SIGKILL), <paramref name="heal"/> does what
    /// Kubernetes would do about it (start the process again). <see cref="Recovery"/> is measured from the start of the
    /// strike. "Fresh" means a report stamped later than the simulator's clock once the strike is done, so nothing that
    /// was already on its way before the fault counts. Each figure is waited for up to twice the total bound, so a slow
    /// recovery is still measured and reported. With <paramref name="servedDuringOutage"/> the heal waits
    /// until the API and the hub have served fresh positions (or the patience ran out): for a dependency the system is
    /// meant to ride out, those two figures are measured while it is still down.
    /// </summary>
    public async Task<Recovery> InjectAsync(string what, Func<Task> strike, Func<Task> heal, RecoveryBound bound, bool servedDuringOutage = false)
    {
        Log($"fault: {what} ({Tap.ConfirmedCount} reports confirmed so far)");
        var start = Stopwatch.GetTimestamp();
        await strike();
        var after = (await SimulatorStatusAsync()).SimulatedTime!.Value;
        Log($"struck in {Stopwatch.GetElapsedTime(start).TotalSeconds:F2} s");
        ArgumentNullException.ThrowIfNull(bound);
        using var patience = new CancellationTokenSource((2 * bound.Total) + SteadyLag);
        var api = MeasureAsync(() => UntilFreshAsync(after, patience.Token), start);
        var hub = MeasureAsync(() => UntilHubFrameAsync(Hub, after, patience.Token), start);
        var newHub = MeasureAsync(() => NewClientFrameAsync(after, patience.Token), start);
        if (servedDuringOutage)
        {
            await Task.WhenAll(api, hub);
            Log($"during the outage: fresh positions from the API after {Recovery.Seconds(await api)}, on the hub after {Recovery.Seconds(await hub)}");
        }

        await heal();
        var outage = Stopwatch.GetElapsedTime(start);
        Log($"fault over after {outage.TotalSeconds:F1} s");
        var ready = MeasureAsync(() => UntilAllReadyAsync(start, patience.Token), start);

        var recovery = new Recovery(outage, await api, await hub, await newHub, await ready);
        Log($"recovered: {recovery}");
        return recovery;
    }

    private static async Task<TimeSpan> MeasureAsync(Func<Task<long>> until, long start)
    {
        try
        {
            return Stopwatch.GetElapsedTime(start, await until());
        }
        catch (OperationCanceledException)
        {
            return TimeSpan.MaxValue; // not within the patience
        }
    }

    private async Task<long> UntilFreshAsync(DateTimeOffset after, CancellationToken token)
    {
        while (!await IsFresh(after))
        {
            await Task.Delay(100, token);
        }

        return Stopwatch.GetTimestamp();
    }

    /// <summary>The api-gateway lists every vehicle and at least one report is later than <paramref name="after"/>.</summary>
    private async Task<bool> IsFresh(DateTimeOffset after) => await NewestFromApiAsync() > after;

    /// <summary>The newest report the api-gateway lists, once it lists every vehicle; null while it does not (or fails).</summary>
    private async Task<DateTimeOffset?> NewestFromApiAsync()
    {
        try
        {
            using var response = await _probe.GetAsync(new Uri(ApiGateway.Http.BaseAddress!, "api/vehicles/"));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            var vehicles = (await response.Content.ReadFromJsonAsync<JsonElement[]>())!;
            return vehicles.Length == Vehicles ? vehicles.Max(v => v.GetProperty("timestamp").GetDateTimeOffset()) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    private static async Task<long> UntilHubFrameAsync(LiveClient client, DateTimeOffset after, CancellationToken token)
    {
        long? arrived;
        while ((arrived = client.FirstFrameWithReportAfter(after)) is null)
        {
            await Task.Delay(25, token);
        }

        return arrived.Value;
    }

    /// <summary>A browser opening the map after the fault: connect (again every 500 ms until it works), then wait for a fresh frame.</summary>
    private async Task<long> NewClientFrameAsync(DateTimeOffset after, CancellationToken token)
    {
        while (true)
        {
            await using var client = new LiveClient(ApiGateway.Http.BaseAddress!, reconnect: false);
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                await client.StartAsync(attempt.Token);
                while (client.State == Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected)
                {
                    if (client.FirstFrameWithReportAfter(after) is { } arrived)
                    {
                        return arrived;
                    }

                    await Task.Delay(25, token);
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or global::System.Net.WebSockets.WebSocketException
                                          or InvalidOperationException || (e is OperationCanceledException && !token.IsCancellationRequested))
            {
                // the gateway is not there (yet), or refused the connection: a browser would try again
            }

            await Task.Delay(LiveClient.RetryInterval, token);
        }
    }

    /// <summary>
    /// Fails unless the API and the hub keep moving on: within <paramref name="within"/> both serve a report at least
    /// <paramref name="advance"/> newer than the newest the API served when the check began. Measured against what the
    /// system itself served, not against the simulator's clock: on a loaded machine the pipeline runs a steady lag
    /// behind the simulator (17 s was seen on a busy CI machine, as long before the fault as during it), which is not
    /// what this asks. A stalled pipeline, or one crawling from timeout to timeout, still fails.
    /// </summary>
    public async Task StillLiveAsync(TimeSpan within, TimeSpan advance)
    {
        var start = Stopwatch.GetTimestamp();
        using var patience = new CancellationTokenSource(within);
        DateTimeOffset? served;
        while ((served = await NewestFromApiAsync()) is null && !patience.IsCancellationRequested)
        {
            await Task.Delay(100, CancellationToken.None);
        }

        served.ShouldNotBeNull("the API lists every vehicle while Redis is down");
        var target = served.Value + advance;
        var api = await MeasureAsync(() => UntilFreshAsync(target, patience.Token), start);
        var hub = await MeasureAsync(() => UntilHubFrameAsync(Hub, target, patience.Token), start);
        Log($"still live: reports {advance.TotalSeconds:F0} s newer than the API's newest ({served.Value:HH:mm:ss.fff}) from the API after "
            + $"{Recovery.Seconds(api)}, on the hub after {Recovery.Seconds(hub)}");
        if (api > within || hub > within)
        {
            foreach (var service in _services)
            {
                Log($"{service.Name}:{service.Port} log, last lines:\n{service.Tail(15)}");
            }
        }

        api.ShouldBeLessThanOrEqualTo(within, "the API serves newer and newer positions");
        hub.ShouldBeLessThanOrEqualTo(within, "the hub pushes newer and newer positions");
    }

    /// <summary>Waits until <paramref name="service"/> reports itself not ready: the fault has been noticed.</summary>
    public async Task UntilNotReadyAsync(ServiceProcess service)
    {
        var start = Stopwatch.GetTimestamp();
        await Eventually.Until(() => !IsReady(service).GetAwaiter().GetResult(), TimeSpan.FromSeconds(30),
            () => $"{service.Name} still reports itself ready");
        Log($"{service.Name} not ready after {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s");
    }

    private async Task<bool> IsReady(ServiceProcess service, CancellationToken token = default)
    {
        try
        {
            using var response = await _probe.GetAsync(new Uri(service.Http.BaseAddress!, "healthz/ready"), token);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !token.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>Polls every service's readiness until all answer 200; logs when each one first did.</summary>
    private async Task<long> UntilAllReadyAsync(long start, CancellationToken token)
    {
        var readySince = new Dictionary<ServiceProcess, TimeSpan>();
        while (true)
        {
            var answers = await Task.WhenAll(_services.Select(async service => (service, Ready: await IsReady(service, token))));
            foreach (var (service, ready) in answers)
            {
                if (ready)
                {
                    readySince.TryAdd(service, Stopwatch.GetElapsedTime(start));
                }
                else
                {
                    readySince.Remove(service);
                }
            }

            if (readySince.Count == _services.Count)
            {
                Log("ready again after: " + string.Join(", ", readySince.Select(r => $"{r.Key.Name}:{r.Key.Port} {r.Value.TotalSeconds:F1} s")));
                return Stopwatch.GetTimestamp();
            }

            await Task.Delay(100, token);
        }
    }
}
