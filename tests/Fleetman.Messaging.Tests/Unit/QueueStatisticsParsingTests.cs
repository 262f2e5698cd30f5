namespace Fleetman.Messaging.Tests.Unit;

/// <summary>Reading the statistics plugin's map in the shapes ActiveMQ's jms-map-json transformation writes.</summary>
public sealed class QueueStatisticsParsingTests
{
    private static QueueStatistics? Parse(string json, string queue = "positionQueue") =>
        QueueStatisticsClient.Parse(Encoding.UTF8.GetBytes(json), queue);

    [Fact]
    public void Numbers_of_every_type_and_string_pairs_are_read_from_a_reply_as_ActiveMQ_sends_it()
    {
        // Trimmed from a real ActiveMQ 5.17 reply: numbers as long, int or double entries, strings as [key, value] pairs.
        const string reply = """
            {"map":{"entry":[{"string":"dequeueCount","long":9404},{"string":"averageMessageSize","long":1264},
            {"string":["brokerId","ID:host-1"]},{"string":"consumerCount","long":1},{"string":"memoryPercentUsage","int":0},
            {"string":"averageEnqueueTime","double":51789.31},{"string":"inflightCount","long":2},{"string":"size","long":2},
            {"string":["destinationName","queue:\/\/positionQueue"]},{"string":"enqueueCount","long":9255}]}}
            """;

        Parse(reply).ShouldBe(new QueueStatistics("positionQueue", Size: 2, ConsumerCount: 1, InflightCount: 2, EnqueueCount: 9255, DequeueCount: 9404));
    }

    [Fact]
    public void A_map_of_one_entry_may_be_an_object_instead_of_an_array()
    {
        Parse("""{"map":{"entry":{"string":"size","int":7}}}""").ShouldNotBeNull().Size.ShouldBe(7);
    }

    [Fact]
    public void A_reply_about_another_queue_is_not_taken_for_this_one()
    {
        Parse("""{"map":{"entry":[{"string":"size","long":5},{"string":["destinationName","queue://positionQueue.other"]}]}}""").ShouldBeNull();
    }

    [Theory]
    [InlineData("""{"map":{"entry":[{"string":"consumerCount","long":1}]}}""")]
    [InlineData("""{"unexpected":true}""")]
    [InlineData("not json")]
    public void A_reply_without_a_size_is_an_error(string reply)
    {
        Should.Throw<Exception>(() => Parse(reply)).ShouldSatisfyAllConditions(
            error => (error is FormatException or KeyNotFoundException or System.Text.Json.JsonException).ShouldBeTrue(error.GetType().Name));
    }
}
