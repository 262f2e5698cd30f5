using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace Fleetman.PositionStore.Tests.Unit;

/// <summary>
/// What the MongoDB store sends, rendered to BSON by the driver exactly as it would be sent, and compared with the
/// documents the server is meant to receive. Runs without a server.
/// </summary>
public sealed class MongoDefinitionsTests
{
    // Below-millisecond ticks and a local offset: the definitions must carry UTC milliseconds.
    private static readonly DateTimeOffset Noon = new DateTimeOffset(2026, 3, 1, 13, 0, 0, 123, TimeSpan.FromHours(1)).AddTicks(9999);

    [Fact]
    public void The_history_filter_is_the_vehicle_and_an_inclusive_time_range_in_utc_milliseconds()
    {
        var filter = MongoDefinitions.HistoryFilter("city_truck", Noon, Noon.AddMinutes(5));

        Render(filter).ShouldBe(Bson("""
            { vehicle: "city_truck", time: { $gte: ISODate("2026-03-01T12:00:00.123Z"), $lte: ISODate("2026-03-01T12:05:00.123Z") } }
            """));
    }

    [Fact]
    public void The_history_filter_leaves_out_a_missing_bound()
    {
        Render(MongoDefinitions.HistoryFilter("city_truck", null, null)).ShouldBe(Bson("""{ vehicle: "city_truck" }"""));
        Render(MongoDefinitions.HistoryFilter("city_truck", null, Noon)).ShouldBe(Bson("""
            { vehicle: "city_truck", time: { $lte: ISODate("2026-03-01T12:00:00.123Z") } }
            """));
    }

    [Fact]
    public void History_is_read_newest_first()
    {
        Render(MongoDefinitions.NewestFirst()).ShouldBe(Bson("{ time: -1 }"));
    }

    [Fact]
    public void The_index_serves_one_vehicles_history_newest_first()
    {
        Render(MongoDefinitions.HistoryIndexKeys()).ShouldBe(Bson("{ vehicle: 1, time: -1 }"));
    }

    [Fact]
    public void Positions_are_a_time_series_of_one_vehicle_per_series_with_a_granularity_of_seconds()
    {
        MongoDefinitions.PositionsCollectionOptions().TimeSeriesOptions.ToBsonDocument().ShouldBe(Bson("""
            { timeField: "time", metaField: "vehicle", granularity: "seconds" }
            """));
    }

    [Fact]
    public void The_collection_check_looks_for_the_positions_collection_by_name()
    {
        Render(MongoDefinitions.CollectionNamed("positions")).ShouldBe(Bson("""{ name: "positions" }"""));
    }

    [Fact]
    public void The_lookup_of_stored_reports_covers_the_batchs_vehicles_and_time_span_in_one_query()
    {
        VehiclePosition[] batch = [Position("van", Noon.AddSeconds(2)), Position("truck", Noon), Position("van", Noon.AddSeconds(9))];

        Render(MongoDefinitions.StoredPairsFilter(batch)).ShouldBe(Bson("""
            {
              vehicle: { $in: ["van", "truck"] },
              time: { $gte: ISODate("2026-03-01T12:00:00.123Z"), $lte: ISODate("2026-03-01T12:00:09.123Z") }
            }
            """));
    }

    [Fact]
    public void The_lookup_of_stored_reports_reads_only_their_vehicle_and_time()
    {
        var projection = MongoDefinitions.StoredPairsProjection().Render(Args<PositionDocument>());

        projection.ShouldBe(Bson("{ vehicle: 1, time: 1, _id: 0 }"));
    }

    [Fact]
    public void The_retention_delete_filter_is_a_strict_bound_on_the_time_field_in_utc_milliseconds()
    {
        // The timeField alone, as MongoDB 7.0+ deletes from time-series collections; "vehicle" (the metaField) is not needed.
        Render(MongoDefinitions.HistoryBeforeFilter(Noon)).ShouldBe(Bson("""
            { time: { $lt: ISODate("2026-03-01T12:00:00.123Z") } }
            """));
    }

    [Fact]
    public void A_replay_window_bounds_the_time_field_on_both_sides_and_sorts_by_time_then_vehicle()
    {
        Render(MongoDefinitions.FleetHistoryFilter(Noon, Noon.AddMinutes(1))).ShouldBe(Bson("""
            { time: { $gte: ISODate("2026-03-01T12:00:00.123Z"), $lte: ISODate("2026-03-01T12:01:00.123Z") } }
            """));
        Render(MongoDefinitions.TimeThenVehicle()).ShouldBe(Bson("{ time: 1, vehicle: 1 }"));
    }

    [Fact]
    public void Counts_are_of_one_vehicle_or_of_everything()
    {
        Render(MongoDefinitions.CountFilter("truck")).ShouldBe(Bson("""{ vehicle: "truck" }"""));
        Render(MongoDefinitions.CountFilter(null)).ShouldBe(Bson("{ }"));
    }

    [Fact]
    public void Latest_positions_are_found_and_ordered_by_their_vehicle_name_id()
    {
        Render(MongoDefinitions.LatestFilter("truck")).ShouldBe(Bson("""{ _id: "truck" }"""));
        Render(MongoDefinitions.LatestOfFilter(["truck", "van"])).ShouldBe(Bson("""{ _id: { $in: ["truck", "van"] } }"""));
        Render(MongoDefinitions.ByVehicle()).ShouldBe(Bson("{ _id: 1 }"));
    }

    [Fact]
    public void The_latest_update_replaces_the_document_only_when_the_stored_one_is_older()
    {
        var update = MongoDefinitions.LatestUpdate(new VehiclePosition("$truck", 51.5, -0.125, Noon, 30.25, null));

        update.Render(Args<LatestDocument>()).ShouldBe(BsonArray("""
            [{
              $replaceWith: {
                $cond: [
                  { $lt: ["$time", ISODate("2026-03-01T12:00:00.123Z")] },
                  { $literal: { time: ISODate("2026-03-01T12:00:00.123Z"), lat: 51.5, lon: -0.125, speed: 30.25, _id: "$truck" } },
                  "$$ROOT"
                ]
              }
            }]
            """));
    }

    [Fact]
    public void A_position_is_stored_as_doubles_and_a_date_and_leaves_out_what_it_does_not_have()
    {
        var document = PositionDocument.From(new VehiclePosition("truck", 51.5, -0.125, Noon, null, 270.0)).ToBsonDocument();

        document.ShouldBe(Bson("""
            { time: ISODate("2026-03-01T12:00:00.123Z"), lat: 51.5, lon: -0.125, heading: 270.0, vehicle: "truck" }
            """));
    }

    private static VehiclePosition Position(string vehicle, DateTimeOffset time) =>
        StoredPositions.Prepare([new VehiclePosition(vehicle, 51.5, -0.125, time, null, null)]).Single();

    private static RenderArgs<T> Args<T>() => new(BsonSerializer.SerializerRegistry.GetSerializer<T>(), BsonSerializer.SerializerRegistry);

    private static BsonDocument Render<T>(FilterDefinition<T> filter) => filter.Render(Args<T>());

    private static BsonDocument Render<T>(SortDefinition<T> sort) => sort.Render(Args<T>());

    private static BsonDocument Render<T>(IndexKeysDefinition<T> keys) => keys.Render(Args<T>());

    private static BsonDocument Bson(string json) => BsonDocument.Parse(json);

    private static BsonArray BsonArray(string json) => BsonDocument.Parse($"{{ array: {json} }}")["array"].AsBsonArray;
}
