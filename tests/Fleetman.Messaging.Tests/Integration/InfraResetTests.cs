namespace Fleetman.Messaging.Tests.Integration;

/// <summary><c>scripts/infra.sh reset</c> against a private broker: what test runs left in their queues is gone.</summary>
public sealed class InfraResetTests
{
    [Fact]
    public async Task Reset_deletes_the_messages_left_in_queues_and_starts_the_broker_again()
    {
        await using var broker = await BrokerInstance.StartPrivateAsync();
        var queue = Destination.Queue(Eventually.UniqueQueue("left-over"));
        await using (var client = await broker.ConnectClientAsync())
        {
            var publisher = new MessagePublisher(client);
            await publisher.PublishTestMessagesAsync(queue, 5);
        }

        await using (var statistics = new QueueStatisticsClient(await broker.OptionsAsync(), TimeSpan.FromSeconds(10)))
        {
            (await statistics.GetAsync(queue)).Size.ShouldBe(5, "persistent messages wait in the queue");
        }

        await broker.InfraAsync("restart", "activemq");
        await using (var statistics = new QueueStatisticsClient(await broker.OptionsAsync(), TimeSpan.FromSeconds(10)))
        {
            (await statistics.GetAsync(queue)).Size.ShouldBe(5, "a restart keeps them");
        }

        (await broker.InfraAsync("reset", "activemq")).ShouldContain("activemq data deleted");

        (await broker.InfraAsync("status", "activemq")).ShouldContain("up");
        await using (var statistics = new QueueStatisticsClient(await broker.OptionsAsync(), TimeSpan.FromSeconds(10)))
        {
            (await statistics.GetAsync(queue)).Exists.ShouldBeFalse("the reset broker starts with no queues");
        }
    }
}
