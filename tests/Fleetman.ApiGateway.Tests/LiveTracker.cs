namespace Fleetman.ApiGateway.Tests;

/// <summary>
/// The api-gateway's settings for a tracker hosted beside it in the test process, which is expected to answer.
/// A deployment runs each service in its own process with its own CPU; here the tracker, the api-gateway and the test
/// share one process, and each first request JIT-compiles both services' paths on a machine that other test assemblies
/// keep busy (load 10–90 on 2 cores). The first PUT of a geofence took the gateway's whole default budget of 2 s there
/// and came back a 503 (reproduced beside busy loops with the thread pool held to 4 threads). The tracker is alive in
/// these tests and what they check is its answer, so the gateway waits as long as the tests' own clients do (10 s).
/// The default budget and its 503 stay tested against a tracker that never answers (GeofenceApiTests) and a stopped one.
/// </summary>
public static class LiveTracker
{
    /// <summary><c>Tracker__*</c> for the api-gateway in front of the tracker at <paramref name="address"/>, plus <paramref name="extra"/>.</summary>
    public static Dictionary<string, string?> GatewaySettings(Uri address, IDictionary<string, string?>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        var settings = new Dictionary<string, string?>
        {
            ["Tracker__BaseAddress"] = address.ToString(),
            ["Tracker__AttemptTimeoutMilliseconds"] = "9000",
            ["Tracker__TimeoutMilliseconds"] = "9500",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }
}
