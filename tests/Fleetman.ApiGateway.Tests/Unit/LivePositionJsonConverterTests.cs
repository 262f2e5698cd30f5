using Fleetman.ApiGateway.Live;

namespace Fleetman.ApiGateway.Tests.Unit;

/// <summary>The hub writes a position's JSON once for all connections; what it writes is what the JSON protocol wrote before.</summary>
public sealed class LivePositionJsonConverterTests
{
    private static readonly JsonSerializerOptions Hub = new(JsonSerializerDefaults.Web) { Converters = { new LivePositionJsonConverter() } };
    private static readonly JsonSerializerOptions Plain = new(JsonSerializerDefaults.Web);

    [Fact]
    public void Writes_the_same_json_as_the_serializer_would_for_moving_and_first_reports()
    {
        LivePosition[] positions =
        [
            new("City Truck", 53.381234567, -1.470001, new DateTime(2026, 11, 22, 12, 0, 0, 500, DateTimeKind.Utc), 23.4, 181.2),
            new("Van \"7\" é", 53.4, -1.5, new DateTime(2026, 11, 22, 12, 0, 1, DateTimeKind.Utc), null, null),
        ];

        var written = JsonSerializer.Serialize(positions, Hub);

        written.ShouldBe(JsonSerializer.Serialize(positions, Plain));
        written.ShouldStartWith("[{\"name\":\"City Truck\",\"lat\":53.381234567,\"lng\":-1.470001,\"time\":\"2026-11-22T12:00:00.5Z\",\"speed\":23.4,\"heading\":181.2}");
    }

    [Fact]
    public void Each_instance_is_written_as_itself_when_it_goes_out_many_times_among_others()
    {
        var truck = new LivePosition("Truck", 53.38, -1.47, new DateTime(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc), 10, 90);
        var van = truck with { Name = "Van", Speed = 20 };

        var first = JsonSerializer.Serialize(new[] { truck, van }, Hub);
        var again = JsonSerializer.Serialize(new[] { van, truck, truck }, Hub);

        first.ShouldBe(JsonSerializer.Serialize(new[] { truck, van }, Plain));
        again.ShouldBe(JsonSerializer.Serialize(new[] { van, truck, truck }, Plain));
        JsonSerializer.Deserialize<LivePosition[]>(again, Hub).ShouldBe([van, truck, truck]);
    }
}
