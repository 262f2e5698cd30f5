namespace Fleetman.Messaging.Tests.Unit;

/// <summary>
/// JMS map messages in the shape ActiveMQ's jms-map-json transformation gives them (as captured from ActiveMQ 5.17 for
/// the original Fleetman simulator's MapMessage): read as the contract message of their entries, and written so the
/// broker stores a MapMessage.
/// </summary>
public sealed class JmsMapMessageTests
{
    private const string OriginalReport =
        """{"map":{"entry":[{"string":["time","2025-09-19T12:06:35.123+0000"]},{"string":["lat","53.3798165805637836456298828125"]},{"string":["long","-1.46622528322041034698486328125"]},{"string":["vehicle","City Truck"]}]}}""";

    [Fact]
    public void The_original_simulators_map_message_reads_as_a_position_report()
    {
        MessageSerializer.TryDeserialize<PositionReported>(Encoding.UTF8.GetBytes(OriginalReport), out var report, out var error).ShouldBeTrue(error);

        report.ShouldBe(new PositionReported(
            "City Truck",
            double.Parse("53.3798165805637836456298828125", CultureInfo.InvariantCulture),
            double.Parse("-1.46622528322041034698486328125", CultureInfo.InvariantCulture),
            new DateTimeOffset(2025, 9, 19, 12, 6, 35, 123, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("""{"map":{"entry":{"string":["vehicle","Van"]}}}""", "missing required properties")]
    [InlineData("""{"map":""}""", "missing required properties")]
    [InlineData("""{"map":{"entry":[{"string":["vehicle","Van"]},{"string":["lat","north"]},{"string":["long","-1.4"]},{"string":["time","2025-09-19T12:06:35.123+0000"]}]}}""", "Path: $.lat")]
    [InlineData("""{"map":{"entry":[{"int":3}]}}""", "no \"string\" key")]
    [InlineData("""{"map":{"entry":[""", "the map message is not")]
    public void A_map_missing_a_key_or_with_a_bad_value_is_malformed_and_says_why(string body, string reason)
    {
        MessageSerializer.TryDeserialize<PositionReported>(Encoding.UTF8.GetBytes(body), out _, out var error).ShouldBeFalse();

        error.ShouldStartWith("the map message is not a valid PositionReported: ");
        error.ShouldContain(reason);
    }

    [Fact]
    public void Entries_with_values_of_other_types_keep_their_json_value()
    {
        var json = Encoding.UTF8.GetString(JmsMapJson.ToJsonObject("""{"map":{"entry":[{"string":"size","long":2},{"string":["name","q"]}]}}"""u8.ToArray()));

        json.ShouldBe("""{"size":2,"name":"q"}""");
    }

    [Fact]
    public void Written_entries_read_back_as_the_same_strings()
    {
        var body = JmsMapJson.FromEntries([new("vehicle", "Köln \"Truck\""), new("lat", "53.5")]);

        Encoding.UTF8.GetString(JmsMapJson.ToJsonObject(body)).ShouldBe(Encoding.UTF8.GetString(
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["vehicle"] = "Köln \"Truck\"", ["lat"] = "53.5" })));
        body.ShouldNotContain((byte)0);
    }

    [Fact]
    public void A_send_asking_for_a_transformation_goes_without_content_length_or_activemq_would_keep_the_bytes()
    {
        var frame = new StompFrame("SEND", [new("destination", "/queue/a"), new("transformation", "jms-map-json")], """{"map":""}"""u8.ToArray());

        Encoding.UTF8.GetString(StompFrameWriter.ToBytes(frame)).ShouldBe("SEND\ndestination:/queue/a\ntransformation:jms-map-json\n\n{\"map\":\"\"}\0");
    }
}
