using StackExchange.Redis;

namespace Fleetman.ApiGateway.Tests.System;

/// <summary>Two api-gateway replicas, as Kubernetes runs them behind one Service.</summary>
public sealed class ReplicaTests
{
    [Fact]
    public async Task A_client_on_each_of_two_replicas_receives_every_update_and_both_replicas_share_the_backplane()
    {
        string[] vehicles = ["Truck 1", "Truck 2", "Truck 3", "Truck 4", "Truck 5"];
        await using var run = await IsolatedRun.StartAsync();
        // Side by side where nothing waits for another (each start takes seconds on a shared machine): the consumer
        // beside the tracker, the two replicas together once the tracker is up.
        var consumerStarting = run.StartConsumerAsync();
        var tracker = await run.StartTrackerAsync();
        var firstStarting = run.StartGatewayAsync(tracker);
        var second = await run.StartGatewayAsync(tracker);
        var first = await firstStarting;
        await consumerStarting;
        await using var onFirst = await HubClient.ConnectAsync(first);
        await using var onSecond = await HubClient.ConnectAsync(second);
        await onFirst.SnapshotAsync();
        await onSecond.SnapshotAsync();

        var reports = Reports.Interleaved(3, vehicles);
        await run.PublishAsync(reports);

        foreach (var report in reports.GroupBy(r => r.Vehicle).Select(g => g.Last()))
        {
            await onFirst.ReceivedAsync(report.Vehicle, report.Time);
            await onSecond.ReceivedAsync(report.Vehicle, report.Time);
        }

        onFirst.Received("Truck 3")[^1].ShouldBe(onSecond.Received("Truck 3")[^1]);

        // Both replicas listen on the run's backplane channels (hub-wide sends reach every replica's connections).
        await using var redis = await ConnectionMultiplexer.ConnectAsync(run.RedisConnectionString);
        var all = RedisChannel.Literal(run.BackplanePrefix + "Fleetman.ApiGateway.Live.VehicleHub:all");
        var subscribers = await redis.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", all.ToString());
        ((long)((RedisResult[])subscribers!)[1]).ShouldBe(2);
    }
}
