using Fleetman.Testing.Jms;

namespace Fleetman.QueueConsumer.Tests.Integration;

/// <summary>
/// The queue-consumer hosted in-process on the real ActiveMQ, fed by a JMS client over OpenWire that sends what the
/// original Java position-simulator sends: a MapMessage of strings. Each test has its own queue, store and Redis keys.
/// </summary>
public sealed class OriginalSimulatorMessageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fleetman-original-");
    private readonly string _queue = Eventually.UniqueQueue("original-simulator");
    private readonly BrokerInstance _broker = BrokerInstance.Shared();
    private InProcessService<QueueConsumerPipelineOptions> _consumer = null!;

    public async Task InitializeAsync()
    {
        var environment = await _broker.ServiceEnvironmentAsync();
        environment["Messaging__Destinations__PositionReported"] = _queue;
        environment["Store__SqlitePath"] = Path.Combine(_folder.FullName, "positions.db");
        environment["LatestPositions__KeyPrefix"] = "test:" + _queue;
        _consumer = await InProcessService.StartAsync<QueueConsumerPipelineOptions>(environment);
    }

    public async Task DisposeAsync()
    {
        await _consumer.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task A_map_message_from_the_original_simulator_is_stored_with_its_vehicle_position_and_time()
    {
        var jms = await JmsMapClient.ForAsync(_broker);

        await jms.SendAsync(_queue, new Dictionary<string, string>
        {
            ["vehicle"] = "City Truck",
            ["lat"] = "53.3798165805637836456298828125",
            ["long"] = "-1.46622528322041034698486328125",
            ["time"] = "2025-09-19T12:06:35.123+0000",
        });

        var store = _consumer.Services.GetRequiredService<IPositionStore>();
        await Eventually.Until(async () => (await store.GetLatestAsync(["City Truck"], default)).Count == 1, Patience, () => Task.FromResult("the report was not stored"));
        var stored = (await store.GetLatestAsync(["City Truck"], default))["City Truck"];
        stored.Latitude.ShouldBe(53.3798165805638, 1e-12);
        stored.Longitude.ShouldBe(-1.4662252832204, 1e-12);
        stored.Time.ShouldBe(new DateTimeOffset(2025, 9, 19, 12, 6, 35, 123, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("time", null, "missing required properties including: 'time'")]
    [InlineData("lat", "north", "Path: $.lat")]
    public async Task A_map_message_missing_a_key_or_with_a_bad_value_is_dead_lettered_with_the_reason(string key, string? value, string reason)
    {
        var entries = new Dictionary<string, string> { ["vehicle"] = "Van", ["lat"] = "53.38", ["long"] = "-1.47", ["time"] = "2025-09-19T12:06:35.123+0000" };
        if (value is null)
        {
            entries.Remove(key);
        }
        else
        {
            entries[key] = value;
        }

        var log = new ListLoggerProvider();
        _consumer.Services.GetRequiredService<ILoggerFactory>().AddProvider(log);
        await using var connection = await _broker.ConnectAsync();
        var dead = connection.DeadLetters(_queue);
        var jms = await JmsMapClient.ForAsync(_broker);

        await jms.SendAsync(_queue, entries);

        await Eventually.Until(() => !dead.IsEmpty, Patience, () => "nothing was dead-lettered");
        dead.ShouldHaveSingleItem().ShouldContain("""["vehicle","Van"]""", customMessage: "the map itself is kept");
        log.Lines.ShouldContain(line => line.Contains("Dead-lettering", StringComparison.Ordinal)
            && line.Contains("the map message is not a valid PositionReported", StringComparison.Ordinal)
            && line.Contains(reason, StringComparison.Ordinal), string.Join('\n', log.Lines));
    }
}
