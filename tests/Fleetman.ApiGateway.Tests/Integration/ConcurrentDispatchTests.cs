using Fleetman.ApiGateway.Live;

namespace Fleetman.ApiGateway.Tests.Integration;

/// <summary>
/// Vehicle updates handled at once (two consumer notifications, two subscription deliveries) reach the hub's
/// connections in the order their freshness was decided: a marker never moves back.
/// </summary>
public sealed class ConcurrentDispatchTests(LoneGateway lone) : IClassFixture<LoneGateway>
{
    private const int Dispatchers = 4;
    private const int Rounds = 300;
    private const int Vehicles = 1_000;

    [Fact]
    public async Task Updates_dispatched_at_once_reach_the_connections_in_the_order_decided_so_a_marker_never_moves_back()
    {
        await using var watcher = await HubClient.ConnectAsync(lone.Gateway.Address);
        await watcher.SnapshotAsync();
        var live = lone.Gateway.Services.GetRequiredService<LiveUpdates>();

        // Each round every dispatcher takes the next report time and dispatches the whole fleet at it, at the same
        // moment as the others: which of them decides first, which offers first and where the pushes fall (the fleet
        // takes a while to decide and to offer) is up to the scheduler, many times over.
        var next = 0;
        using var start = new Barrier(Dispatchers);
        var dispatchers = Enumerable.Range(0, Dispatchers).Select(_ => Task.Factory.StartNew(
            () =>
            {
                for (var round = 0; round < Rounds; round++)
                {
                    start.SignalAndWait();
                    var step = Interlocked.Increment(ref next);
                    live.Dispatch(new VehiclePositionsUpdated([.. Enumerable.Range(0, Vehicles).Select(vehicle => Point(vehicle, step))], DateTimeOffset.UtcNow));
                }
            },
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        await Task.WhenAll(dispatchers);

        await watcher.ReceivedAsync(Name(Vehicles - 1), Point(Vehicles - 1, Dispatchers * Rounds).Time);
        var newest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var back = new List<string>();
        foreach (var position in watcher.Frames.SelectMany(frame => frame).Where(p => p.Name.StartsWith("Race ", StringComparison.Ordinal)))
        {
            if (newest.TryGetValue(position.Name, out var before) && position.Time <= before)
            {
                back.Add($"{position.Name} from {before:O} to {position.Time:O}");
            }

            newest[position.Name] = position.Time;
        }

        back.ShouldBeEmpty($"a marker moved back {back.Count} times, first {back.FirstOrDefault()}");
    }

    private static string Name(int vehicle) => $"Race {vehicle}";

    private static VehiclePosition Point(int vehicle, int step) =>
        new(Name(vehicle), 53.38 + (step * 1e-6), -1.47 + (vehicle * 1e-4), Reports.Start.AddMilliseconds(step), 20, 90);
}
