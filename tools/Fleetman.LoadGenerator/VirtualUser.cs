using System.Text.Json;

namespace Fleetman.LoadGenerator;

/// <summary>
/// One browser with the live map open: a live connection (<see cref="LiveConnection"/>) and a loop of REST calls
/// (<see cref="UserHttpClient"/>) with think times in between, the page's first <c>GET /api/vehicles/</c> first.
/// Selecting a vehicle loads its history and follows it on the hub for a while.
/// </summary>
internal sealed class VirtualUser : IDisposable
{
    private readonly LoadOptions _options;
    private readonly Measurements _measurements;
    private readonly Random _random;
    private readonly UserHttpClient _http;
    private readonly LiveConnection _live;
    private string[] _names = [];
    private DateTime _unfollowAt;

    public VirtualUser(LoadOptions options, Measurements measurements, Random random)
    {
        _options = options;
        _measurements = measurements;
        _random = random;
        _http = new UserHttpClient(options, measurements);
        // The hub's loop and reconnect policy run apart from the REST loop: a Random of their own.
        _live = new LiveConnection(options, measurements, new Random(random.Next()), names => Volatile.Write(ref _names, names));
    }

    public async Task RunAsync(CancellationToken stop)
    {
        _measurements.UsersChanged(+1);
        try
        {
            await Task.WhenAll(_live.RunAsync(stop), RestLoopAsync(stop));
        }
        finally
        {
            _measurements.UsersChanged(-1);
        }
    }

    private async Task RestLoopAsync(CancellationToken stop)
    {
        // Users that arrive together do not load the page in step.
        await Pause.DelayAsync(_options.ThinkTime * _random.NextDouble(), stop);
        if (!stop.IsCancellationRequested)
        {
            await ListAsync(stop);
        }

        while (!stop.IsCancellationRequested)
        {
            await Pause.DelayAsync(NextThinkTime(), stop);
            if (stop.IsCancellationRequested)
            {
                return;
            }

            if (_live.Followed is not null && DateTime.UtcNow >= _unfollowAt)
            {
                await _live.UnfollowAsync(stop);
            }

            var names = Volatile.Read(ref _names);
            var action = names.Length == 0 ? UserAction.List : _options.Mix.Pick(_random.NextDouble());
            switch (action)
            {
                case UserAction.List:
                    await ListAsync(stop);
                    break;
                case UserAction.Vehicle:
                    await _http.GetAsync(RequestKind.Vehicle, "api/vehicles/" + Uri.EscapeDataString(Pick(names)), keepBody: false, stop);
                    break;
                default:
                    await SelectAsync(Pick(names), stop);
                    break;
            }
        }
    }

    private TimeSpan NextThinkTime()
    {
        var think = _options.ThinkTime * (0.5 + _random.NextDouble());
        var retryAfter = _http.TakeRetryAfter();
        return think > retryAfter ? think : retryAfter;
    }

    private string Pick(string[] names) => names[_random.Next(names.Length)];

    private async Task ListAsync(CancellationToken stop)
    {
        var body = await _http.GetAsync(RequestKind.List, "api/vehicles/", keepBody: true, stop);
        if (body is null)
        {
            return;
        }

        try
        {
            using var list = JsonDocument.Parse(body);
            if (list.RootElement.ValueKind == JsonValueKind.Array)
            {
                var names = list.RootElement.EnumerateArray()
                    .Select(v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("name", out var n) ? n.GetString() : null)
                    .OfType<string>()
                    .ToArray();
                if (names.Length > 0)
                {
                    Volatile.Write(ref _names, names);
                }
            }
        }
        catch (JsonException)
        {
            // a 2xx that is not the list: its latency counted; the names stay what they were
        }
    }

    /// <summary>The user clicks a vehicle: its trail, then every point of it live for --follow-time.</summary>
    private async Task SelectAsync(string name, CancellationToken stop)
    {
        var history = await _http.GetAsync(RequestKind.History, "api/history/" + Uri.EscapeDataString(name), keepBody: false, stop);
        if (history is null || _options.FollowTime == TimeSpan.Zero)
        {
            return;
        }

        if (_live.Followed is { } previous && previous != name)
        {
            await _live.UnfollowAsync(stop);
        }

        if (await _live.FollowAsync(name, stop))
        {
            _unfollowAt = DateTime.UtcNow + _options.FollowTime;
        }
    }

    public void Dispose() => _http.Dispose();
}
