using MongoDB.Bson;
using MongoDB.Driver;

namespace Fleetman.PositionStore.Tests.Integration;

/// <summary>
/// The contract against a real MongoDB server: the one in <c>FLEETMAN_TEST_MONGO</c> (a connection string, e.g.
/// <c>mongodb://localhost:27017</c>), else a container Testcontainers starts; where neither is possible every test is
/// reported as skipped, with the reason.
/// </summary>
public sealed class MongoPositionStoreTests(MongoTestRun run) : FleetEventStoreContract, IClassFixture<MongoTestRun>
{
    // One database per test (the contract counts and lists everything in its store), named after the class run.
    private readonly string _database = run.NextDatabaseName();

    protected override string? SkipReason => run.SkipReason;

    protected override IPositionStore OpenStore() => new MongoPositionStore(run.ConnectionString!, _database);

    protected override Task DeleteStorageAsync() => run.DropAsync(_database);

    [SkippableFact]
    public async Task Positions_are_a_time_series_collection_indexed_by_vehicle_and_newest_time()
    {
        await InitializedStoreAsync();
        var database = run.Client.GetDatabase(_database);

        var collections = await database.ListCollectionsAsync(new ListCollectionsOptions
        {
            Filter = Builders<BsonDocument>.Filter.Eq("name", "positions"),
        });
        var positions = (await collections.ToListAsync()).ShouldHaveSingleItem();
        positions["type"].AsString.ShouldBe("timeseries");
        var timeseries = positions["options"]["timeseries"].AsBsonDocument;
        (timeseries["timeField"].AsString, timeseries["metaField"].AsString, timeseries["granularity"].AsString).ShouldBe(("time", "vehicle", "seconds"));

        var indexes = await (await database.GetCollection<BsonDocument>("positions").Indexes.ListAsync()).ToListAsync();
        indexes.Select(index => index["key"].AsBsonDocument).ShouldContain(BsonDocument.Parse("{ vehicle: 1, time: -1 }"));
    }

    [SkippableFact]
    public async Task A_position_is_stored_as_doubles_and_a_date_without_empty_fields()
    {
        var store = await InitializedStoreAsync();
        await store.AppendAsync([new Fleetman.Contracts.VehiclePosition("truck", 51.5, -0.125, T0.AddSeconds(1), 21, null)], default);

        var stored = await run.Client.GetDatabase(_database).GetCollection<BsonDocument>("positions")
            .Find(FilterDefinition<BsonDocument>.Empty).Project("{ _id: 0 }").SingleAsync();

        // Time-series collections return a measurement's fields in an order of their own.
        var expected = BsonDocument.Parse("""
            { lat: 51.5, lon: -0.125, speed: 21.0, time: ISODate("2026-03-01T12:00:01Z"), vehicle: "truck" }
            """);
        new BsonDocument(stored.OrderBy(element => element.Name, StringComparer.Ordinal)).ShouldBe(expected);
    }

    [SkippableFact]
    public async Task Two_stores_appending_the_same_batches_one_after_the_other_store_each_report_once()
    {
        var one = await InitializedStoreAsync();
        var other = await InitializedStoreAsync();
        var batch = Enumerable.Range(0, 50).Select(second => At($"vehicle-{second % 5}", second)).ToList();

        (await one.AppendAsync(batch, default)).ShouldBe(50);
        (await other.AppendAsync(batch, default)).ShouldBe(0);

        (await one.CountAsync(null, default)).ShouldBe(50);
    }
}
