using System.Net;

namespace Fleetman.Testing;

// A service under the pressure a hung dependency puts on it (tests/*/System/HungRedisTests.cs, with SilentServer as
// the dependency): few pool threads, and probes asked while it waits.
public sealed partial class ServiceProcess
{
    /// <summary>
    /// The runtime's thread pool capped at two worker threads, as a service's share of a busy two-core machine can
    /// leave it: set in a service's environment, anything that blocks pool threads shows at once.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> SmallThreadPool { get; } = new Dictionary<string, string?>
    {
        ["DOTNET_ThreadPool_ForceMinWorkerThreads"] = "1",
        ["DOTNET_ThreadPool_ForceMaxWorkerThreads"] = "2",
    };

    /// <summary>
    /// Asks this service's <c>/healthz/ready</c> several times at once, as probes and load balancers do,
    /// and while those are in flight waits (at most <paramref name="within"/>) for <c>/healthz/live</c> to answer 200,
    /// each try given 3 s as a container's health command gives it. Returns the readiness answers (status and body)
    /// that came within the same bound; a service whose readiness waits for a hung dependency on pool threads fails here.
    /// </summary>
    public async Task<IReadOnlyList<(HttpStatusCode Status, string Body)>> LiveWhileReadinessIsAskedAsync(TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = within };
        var readiness = Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/healthz/ready", UriKind.Relative));
                return ((HttpStatusCode Status, string Body)?)(response.StatusCode, await response.Content.ReadAsStringAsync());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return null;
            }
        }).ToList();

        using var probe = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(3) };
        var last = "not asked";
        await Eventually.Until(
            async () =>
            {
                try
                {
                    using var response = await probe.GetAsync(new Uri("/healthz/live", UriKind.Relative));
                    last = $"{(int)response.StatusCode}";
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    last = e.Message;
                    return false;
                }
            },
            within,
            () => Task.FromResult($"{Name} did not answer /healthz/live within {within.TotalSeconds:F0} s while its readiness was asked: {last}"));

        var answers = await Task.WhenAll(readiness);
        return [.. answers.OfType<(HttpStatusCode Status, string Body)>()];
    }
}
