using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace Fleetman.PositionStore.Tests.Unit;

/// <summary>
/// The documents the MongoDB store writes, rendered to BSON by the driver as it would send them, and read back: the
/// field names the store's queries and indexes use, UTC milliseconds, nothing lost on the way. Runs without a server.
/// </summary>
public sealed class MongoDocumentsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 13, 0, 0, 123, TimeSpan.FromHours(1));

    [Fact]
    public void A_fleet_event_is_stored_under_its_id_with_its_fields_and_read_back_as_it_was()
    {
        var fleetEvent = new FleetEvent("e1", "city_truck", FleetEventKind.OverspeedStarted, Noon, 53.38, -1.47, 61.5, null, 50);

        var document = FleetEventDocument.From(fleetEvent);

        Fields(document.ToBsonDocument()).ShouldBe(Fields(BsonDocument.Parse("""
            { _id: "e1", time: ISODate("2026-03-01T12:00:00.123Z"), vehicle: "city_truck", kind: "OverspeedStarted",
              lat: 53.38, lon: -1.47, speedKph: 61.5, limitKph: 50.0 }
            """)));
        RoundTrip(document).ToEvent().ShouldBe(fleetEvent);
    }

    [Fact]
    public void A_vehicles_event_state_is_stored_under_its_name_with_its_fields_and_read_back_as_it_was()
    {
        var state = new FleetEventState("city_truck", Noon, 53.38, -1.47, Overspeeding: true, SlowSince: Noon.AddMinutes(-1), Stopped: false, ["Depot"]);

        var document = FleetEventStateDocument.From(state);

        Fields(document.ToBsonDocument()).ShouldBe(Fields(BsonDocument.Parse("""
            { _id: "city_truck", time: ISODate("2026-03-01T12:00:00.123Z"), lat: 53.38, lon: -1.47, overspeeding: true,
              slowSince: ISODate("2026-03-01T11:59:00.123Z"), stopped: false, inside: ["Depot"] }
            """)));
        var read = RoundTrip(document).ToState();
        read.ShouldBe(state with { Inside = read.Inside });
        read.Inside.ShouldBe(["Depot"]);
    }

    [Fact]
    public void A_position_is_stored_with_its_vehicle_and_read_back_as_it_was()
    {
        var position = new VehiclePosition("city_truck", 53.38, -1.47, Noon, 30.5, 90);

        var document = PositionDocument.From(position);

        Fields(document.ToBsonDocument()).ShouldBe(Fields(BsonDocument.Parse("""
            { time: ISODate("2026-03-01T12:00:00.123Z"), lat: 53.38, lon: -1.47, speed: 30.5, heading: 90.0, vehicle: "city_truck" }
            """)));
        RoundTrip(document).ToPosition().ShouldBe(position);
    }

    // The queries name fields; where in a document a field stands does not matter to them.
    private static List<string> Fields(BsonDocument document) => [.. document.Elements.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => $"{e.Name}={e.Value}")];

    private static T RoundTrip<T>(T document) => BsonSerializer.Deserialize<T>(document.ToBsonDocument());
}
