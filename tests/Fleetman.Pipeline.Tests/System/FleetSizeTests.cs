using System.Net.Http.Headers;

namespace Fleetman.Pipeline.Tests.System;

/// <summary>A fleet that shrinks, through the real pipeline: simulator → ActiveMQ → queue-consumer → Redis → tracker → api-gateway.</summary>
public sealed class FleetSizeTests
{
    private const string AdminPassword = "fleet size test password";

    private sealed record Vehicle(string Name);

    [Fact]
    public async Task Scaling_the_simulator_from_1000_vehicles_to_38_leaves_38_in_the_rest_list_well_within_the_retention()
    {
        await using var run = await IsolatedRun.StartAsync();
        // Side by side where nothing waits for another (each start takes seconds on a shared machine); the api-gateway
        // needs the tracker. The run stops them all.
        var trackerStarting = run.StartTrackerAsync();
        var consumerStarting = run.StartConsumerAsync();
        var simulatorStarting = run.StartSimulatorAsync(new Dictionary<string, string?>
        {
            ["Simulator__Vehicles"] = "1000",
            // 200 reports a second: enough to fill the list, light on a shared machine.
            ["Simulator__ReportIntervalMilliseconds"] = "5000",
            ["Admin__Password"] = AdminPassword,
        });
        var gateway = await run.StartGatewayAsync(await trackerStarting);
        var consumer = await consumerStarting;
        var simulator = await simulatorStarting;

        Vehicle[] vehicles = [];
        await Eventually.Until(() => (vehicles = List(gateway)).Length == 1_000, TimeSpan.FromSeconds(90),
            () => $"{vehicles.Length} of 1,000 vehicles listed; consumer log:\n{consumer.Tail()}");

        using var request = new HttpRequestMessage(HttpMethod.Put, "/simulator/settings") { Content = JsonContent.Create(new { vehicles = 38 }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{AdminPassword}")));
        (await simulator.Http.SendAsync(request)).EnsureSuccessStatusCode();

        // The retention is 5 minutes: within one, the 962 are gone because the simulator retired them.
        await Eventually.Until(() => (vehicles = List(gateway)).Length == 38, TimeSpan.FromSeconds(60),
            () => $"{vehicles.Length} vehicles listed, not 38; consumer log:\n{consumer.Tail()}");
        vehicles.Select(v => Number(v.Name)).Order().ShouldBe(Enumerable.Range(1, 38), "the first 38 stay");
        var metrics = (await consumer.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n');
        var retired = metrics.Single(line => line.StartsWith("fleetman_queueconsumer_vehicles_retired", StringComparison.Ordinal) && line.Contains("reason=\"removed\"", StringComparison.Ordinal));
        retired.ShouldEndWith(" 962");
    }

    private static int Number(string name) => int.Parse(name.AsSpan(name.LastIndexOf(' ') + 1), global::System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The REST list; empty while a busy machine keeps the api-gateway from answering in time (asked again).</summary>
    private static Vehicle[] List(ServiceProcess gateway)
    {
        try
        {
            return gateway.GetJsonAsync<Vehicle[]>("/api/vehicles/").GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return [];
        }
    }
}
