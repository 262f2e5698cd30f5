using Fleetman.ApiGateway.Live;
using Fleetman.Contracts.Api;
using Microsoft.AspNetCore.SignalR;

namespace Fleetman.ApiGateway.Tests.Unit;

/// <summary>
/// The hub writes a position's, and a fleet event's, JSON once for all connections; what it writes is what the JSON
/// protocol wrote before.
/// </summary>
public sealed class WrittenOnceJsonConverterTests
{
    // What the hub's JSON protocol writes payloads with: its own options, made to write positions and events once.
    private static readonly JsonSerializerOptions Hub = HubOptions();

    // What the protocol wrote a fleet event with before.
    private static readonly JsonSerializerOptions Protocol = new JsonHubProtocolOptions().PayloadSerializerOptions;

    // What a position was written with before: the web defaults.
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void Writes_the_same_json_as_the_serializer_would_for_moving_and_first_reports()
    {
        LivePosition[] positions =
        [
            new("City Truck", 53.381234567, -1.470001, new DateTime(2026, 11, 22, 12, 0, 0, 500, DateTimeKind.Utc), 23.4, 181.2),
            new("Van \"7\" é", 53.4, -1.5, new DateTime(2026, 11, 22, 12, 0, 1, DateTimeKind.Utc), null, null),
        ];

        var written = JsonSerializer.Serialize(positions, Hub);

        written.ShouldBe(JsonSerializer.Serialize(positions, Web));
        written.ShouldStartWith("[{\"name\":\"City Truck\",\"lat\":53.381234567,\"lng\":-1.470001,\"time\":\"2026-11-22T12:00:00.5Z\",\"speed\":23.4,\"heading\":181.2}");
    }

    [Fact]
    public void Each_instance_is_written_as_itself_when_it_goes_out_many_times_among_others()
    {
        var truck = new LivePosition("Truck", 53.38, -1.47, new DateTime(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc), 10, 90);
        var van = truck with { Name = "Van", Speed = 20 };

        var first = JsonSerializer.Serialize(new[] { truck, van }, Hub);
        var again = JsonSerializer.Serialize(new[] { van, truck, truck }, Hub);

        first.ShouldBe(JsonSerializer.Serialize(new[] { truck, van }, Web));
        again.ShouldBe(JsonSerializer.Serialize(new[] { van, truck, truck }, Web));
        JsonSerializer.Deserialize<LivePosition[]>(again, Hub).ShouldBe([van, truck, truck]);
    }

    [Fact]
    public void Fleet_events_are_written_as_the_serializer_would_with_their_kinds_as_names_and_unknown_values_as_null()
    {
        var time = new DateTimeOffset(2026, 12, 6, 21, 0, 0, 250, TimeSpan.Zero);
        FleetEventResponse[] events =
        [
            new("e1", "City Truck", FleetEventKind.OverspeedStarted, time, 53.38, -1.47, 61.5, null, 50),
            new("e2", "Van \"7\" é", FleetEventKind.GeofenceEntered, time.AddSeconds(1), 53.4, -1.5, null, "Depot", null),
        ];

        var written = JsonSerializer.Serialize(events, Hub);
        var again = JsonSerializer.Serialize(new[] { events[1], events[0] }, Hub);

        written.ShouldBe(JsonSerializer.Serialize(events, Protocol));
        again.ShouldBe(JsonSerializer.Serialize(new[] { events[1], events[0] }, Protocol));
        written.ShouldStartWith("[{\"id\":\"e1\",\"vehicle\":\"City Truck\",\"kind\":\"overspeed_started\",\"time\":\"2026-12-06T21:00:00.25+00:00\",\"lat\":53.38,\"lng\":-1.47,\"speedKph\":61.5,\"geofence\":null,\"limitKph\":50}");
        JsonSerializer.Deserialize<FleetEventResponse[]>(written, Hub).ShouldBe(events);
    }

    [Fact]
    public void A_shared_frame_is_written_once_for_every_connection_and_any_other_array_each_time_as_before()
    {
        var shared = new SharedFrames();
        var options = HubOptions(shared);
        var truck = new LivePosition("Truck", 53.38, -1.47, new DateTime(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc), 10, 90);
        var van = truck with { Name = "Van", Speed = null, Heading = null };
        LivePosition[] frame = [truck, van];
        LivePosition[] own = [truck, van];
        shared.Share(frame);

        var first = JsonSerializer.Serialize(frame, options);
        first.ShouldBe(JsonSerializer.Serialize(frame, Web), "the shape every position had on the wire");
        JsonSerializer.Serialize(own, options).ShouldBe(first);

        // The same array again: its first bytes, not the array's content now (the frame is never changed in the hub;
        // changing it here shows the bytes were kept). An array that was not shared is written as it is.
        frame[1] = truck;
        own[1] = truck;
        JsonSerializer.Serialize(frame, options).ShouldBe(first);
        JsonSerializer.Serialize(own, options).ShouldBe(JsonSerializer.Serialize(new[] { truck, truck }, Web));
        JsonSerializer.Deserialize<LivePosition[]>(first, options).ShouldBe([truck, van]);
    }

    private static JsonSerializerOptions HubOptions(SharedFrames? shared = null)
    {
        var options = new JsonHubProtocolOptions().PayloadSerializerOptions;
        HubPayloadJson.WriteOnce(options, shared);
        return options;
    }
}
