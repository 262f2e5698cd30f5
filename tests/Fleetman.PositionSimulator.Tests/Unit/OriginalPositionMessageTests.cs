namespace Fleetman.PositionSimulator.Tests.Unit;

/// <summary>A report in the original Java simulator's map: what the original position-tracker parses.</summary>
public sealed class OriginalPositionMessageTests
{
    [Fact]
    public void A_report_becomes_four_strings_with_the_time_in_the_originals_pattern_in_utc()
    {
        var report = new PositionReported("City Truck", 53.3798165805638, -1.4662252832204, new DateTimeOffset(2025, 9, 19, 13, 6, 35, 123, TimeSpan.FromHours(1)).AddTicks(4567));

        var entries = OriginalPositionMessage.Entries(report);

        entries.ShouldBe(new Dictionary<string, string>
        {
            ["vehicle"] = "City Truck",
            ["lat"] = "53.3798165805638",
            ["long"] = "-1.4662252832204",
            ["time"] = "2025-09-19T12:06:35.123+0000",
        });
    }

    [Fact]
    public void The_map_reads_back_as_the_same_report_to_the_millisecond()
    {
        var report = new PositionReported("Van", 0.5, -0.25, new DateTimeOffset(2026, 1, 2, 3, 4, 5, 6, TimeSpan.Zero));
        var json = JsonSerializer.Serialize(OriginalPositionMessage.Entries(report));

        JsonSerializer.Deserialize<PositionReported>(json, JsonSerializerOptions.Web).ShouldBe(report);
    }
}
