namespace Fleetman.Chaos.Tests.System;

/// <summary>
/// Watches services for signs of a crash loop while a fault is injected: each one's process id (it must not change:
/// no exit, no restart) and its liveness, asked every 500 ms as a kubelet would, with the contract's 2 s timeout
/// (docs/deployment-reference.md: liveness period 10 s, timeout 2 s, failure threshold 3). Readiness is not watched:
/// it may drop while a dependency is down.
/// </summary>
public sealed class ServiceWatch : IAsyncDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<ServiceProcess, Watched> _watched = new();
    private readonly ConcurrentQueue<string> _findings = new();
    private readonly HttpClient _http = new() { Timeout = global::System.Threading.Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public ServiceWatch(IEnumerable<ServiceProcess> services)
    {
        foreach (var service in services)
        {
            Add(service);
        }

        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Liveness answers that were not 200, and runs of 3 unanswered probes (what makes Kubernetes restart a pod).</summary>
    public IReadOnlyCollection<string> Findings => _findings;

    public int Probes => _watched.Values.Sum(w => w.Probes);

    /// <summary>Starts watching <paramref name="service"/> as it runs now (e.g. once a killed one is back).</summary>
    public void Add(ServiceProcess service)
    {
        var pid = service.ProcessId ?? throw new InvalidOperationException($"{service.Name} is not running");
        _watched[service] = new Watched(pid);
    }

    /// <summary>Stops watching <paramref name="service"/> (before a test kills it).</summary>
    public void Remove(ServiceProcess service) => _watched.TryRemove(service, out _);

    /// <summary>Every watched service whose process id changed or whose process is gone, as "name: pid a → b".</summary>
    public IEnumerable<string> ProcessChanges() =>
        _watched.Where(w => w.Key.ProcessId != w.Value.ProcessId)
            .Select(w => $"{w.Key.Name}: pid {w.Value.ProcessId} → {w.Key.ProcessId?.ToString(global::System.Globalization.CultureInfo.InvariantCulture) ?? "exited"}");

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                await Task.WhenAll(_watched.Select(w => ProbeAsync(w.Key, w.Value)));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ProbeAsync(ServiceProcess service, Watched watched)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(Timeout);
        Interlocked.Increment(ref watched.Probes);
        try
        {
            using var response = await _http.GetAsync(new Uri(service.Http.BaseAddress!, "healthz/live"), timeout.Token);
            watched.Unanswered = 0;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                _findings.Enqueue($"{service.Name}: /healthz/live answered {(int)response.StatusCode} at {DateTime.UtcNow:HH:mm:ss.fff}");
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !_stopping.IsCancellationRequested)
        {
            if (++watched.Unanswered == 3)
            {
                _findings.Enqueue($"{service.Name}: 3 liveness probes in a row unanswered (last: {e.Message}) at {DateTime.UtcNow:HH:mm:ss.fff}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _loop;
        _http.Dispose();
        _stopping.Dispose();
    }

    private sealed class Watched(int processId)
    {
        public int ProcessId { get; } = processId;

        public int Unanswered;

        public int Probes;
    }
}
