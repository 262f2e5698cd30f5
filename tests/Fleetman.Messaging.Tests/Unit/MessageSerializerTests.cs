namespace Fleetman.Messaging.Tests.Unit;

/// <summary>The contract messages' JSON comes from metadata generated at build time, which a trimmed service relies on.</summary>
public sealed class MessageSerializerTests
{
    [Fact]
    public void Every_message_type_the_topology_routes_has_json_metadata_generated_at_build_time()
    {
        var routed = typeof(PositionReported).Assembly.GetExportedTypes()
            .Where(type => MessageTopology.MessageTypeNames.Contains(type.Name))
            .ToList();

        routed.Select(type => type.Name).ShouldBe(MessageTopology.MessageTypeNames, ignoreOrder: true);
        foreach (var type in routed)
        {
            MessageJsonContext.Default.GetTypeInfo(type).ShouldNotBeNull($"{type.Name} is missing from MessageJsonContext");
        }
    }

    [Fact]
    public void A_position_report_is_written_with_the_original_field_names_and_reads_back_the_same()
    {
        var report = new PositionReported("City Truck", 53.38, -1.47, new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

        var body = MessageSerializer.Serialize(report);

        using var json = JsonDocument.Parse(body);
        json.RootElement.EnumerateObject().Select(property => property.Name).ShouldBe(["vehicle", "lat", "long", "time"]);
        MessageSerializer.TryDeserialize<PositionReported>(body, out var read, out var error).ShouldBeTrue(error);
        read.ShouldBe(report);
    }
}
