using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Fleetman.LatestPositions;
using StackExchange.Redis;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Fleetman.PositionTracker.Tests.Integration;

/// <summary>
/// The tracker's HTTP JSON without reflection, as a trimmed build has it: one tracker whose HTTP JSON options keep only
/// the metadata generated at build time (and what ASP.NET Core adds for problems when reflection is off), one that keeps
/// only reflection, as the tracker serialized before. Every route answers each request the same, byte for byte: a type
/// the API reads or writes without generated metadata fails every route of the first (its endpoints are built together).
/// </summary>
public sealed partial class GeneratedJsonTests : IAsyncLifetime
{
    private const string AdminPassword = "generated-json-admin-password";
    private static readonly DateTimeOffset Now = new(2026, 12, 8, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetman-json-" + Guid.NewGuid().ToString("N")[..8]);
    private Dictionary<string, string?> _environment = null!;

    public async Task InitializeAsync()
    {
        var broker = BrokerInstance.Shared();
        var redisConnection = await broker.RedisConnectionStringAsync();
        var prefix = $"test:{Guid.NewGuid():N}";
        Directory.CreateDirectory(_folder);
        var database = Path.Combine(_folder, "positions.db");
        var van = Enumerable.Range(0, 5).Select(i => new VehiclePosition("City Van", 53.38 + (i * 1e-3), -1.47, Now.AddSeconds(-50 + (i * 10)), i == 0 ? null : 20.5 + i, i * 90)).ToList();
        var bus = new VehiclePosition("Old Bus", 53.40, -1.50, Now.AddMinutes(-2), 0, null);
        using (var store = new SqlitePositionStore(database))
        {
            await store.InitializeAsync(default);
            await store.AppendAsync([.. van, bus], default);
            await store.AddEventsAsync([new FleetEvent(FleetEvent.IdOf("City Van", FleetEventKind.GeofenceEntered, "Depot", Now), "City Van", FleetEventKind.GeofenceEntered, Now, 53.38, -1.47, 30, "Depot", null)], default);
        }

        await using (var redis = await ConnectionMultiplexer.ConnectAsync(redisConnection))
        {
            await new LatestPositionCache(new RedisConnection(redis), prefix).UpdateAsync([van[^1], bus]);
        }

        _environment = new()
        {
            ["ConnectionStrings__Redis"] = redisConnection,
            ["LatestPositions__KeyPrefix"] = prefix,
            ["Store__SqlitePath"] = database,
            ["Admin__Password"] = AdminPassword,
        };
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Every_route_answers_from_generated_metadata_alone_byte_for_byte_as_by_reflection()
    {
        var generated = await AnswersAsync(resolver => resolver is not JsonSerializerContext);
        var reflection = await AnswersAsync(resolver => resolver is JsonSerializerContext);

        generated.ShouldAllBe(answer => answer.Status < 500);
        generated.ShouldBe(reflection);
    }

    /// <summary>Every route once, through a tracker whose HTTP JSON options lose the resolvers <paramref name="removed"/> picks.</summary>
    private async Task<List<Answer>> AnswersAsync(Predicate<IJsonTypeInfoResolver> removed)
    {
        await using var tracker = await InProcessService.StartAsync<TrackerOptions>(_environment, services =>
        {
            // A Configure, so that ASP.NET Core's PostConfigure then sees the chain as a build without reflection has it.
            services.Configure<HttpJsonOptions>(json =>
            {
                var chain = json.SerializerOptions.TypeInfoResolverChain;
                foreach (var resolver in chain.Where(resolver => removed(resolver)).ToList())
                {
                    chain.Remove(resolver);
                }
            });
        });
        var chain = tracker.Services.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions.TypeInfoResolverChain;
        chain.ShouldNotBeEmpty();
        chain.ShouldNotContain(resolver => removed(resolver));

        var from = Uri.EscapeDataString(Now.AddHours(-1).ToString("O"));
        var to = Uri.EscapeDataString(Now.ToString("O"));
        (HttpMethod Method, string Path, string? Body)[] requests =
        [
            (HttpMethod.Get, "/vehicles/", null),
            (HttpMethod.Get, "/vehicles/City%20Van", null),
            (HttpMethod.Get, "/vehicles/Nobody", null),
            (HttpMethod.Get, "/vehicles/City%20Van/history?limit=3", null),
            (HttpMethod.Get, "/vehicles/City%20Van/history?limit=lots", null),
            (HttpMethod.Get, "/vehicles/Nobody/history", null),
            (HttpMethod.Get, $"/history?from={from}&to={to}", null),
            (HttpMethod.Get, "/history", null),
            (HttpMethod.Get, "/history/City%20Van", null),
            (HttpMethod.Get, "/history/Nobody", null),
            (HttpMethod.Get, "/fleet/summary", null),
            (HttpMethod.Get, "/events", null),
            (HttpMethod.Get, "/events?limit=0", null),
            (HttpMethod.Put, "/geofences/Depot", """{"ring":[[53.38,-1.471],[53.38,-1.469],[53.382,-1.469]]}"""),
            (HttpMethod.Put, "/geofences/Depot", """{"ring":[[53.38,-1.471],[53.38,-1.469]]}"""),
            (HttpMethod.Put, "/geofences/Depot", """{"ring":"not points"}"""),
            (HttpMethod.Get, "/geofences", null),
            (HttpMethod.Get, "/geofences/Depot", null),
            (HttpMethod.Delete, "/geofences/Depot", null),
            (HttpMethod.Get, "/geofences/Depot", null),
        ];
        var answers = new List<Answer>();
        foreach (var (method, path, body) in requests)
        {
            using var response = await tracker.Http.SendAsAdminAsync(method, path, body, method == HttpMethod.Get ? null : AdminPassword);
            // When the summary was made and a problem's trace id: what differs between any two answers.
            var text = Varying().Replace(await response.Content.ReadAsStringAsync(), "\"$1\":\"\"");
            answers.Add(new Answer($"{method} {path}", (int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), text));
        }

        return answers;
    }

    [GeneratedRegex("\"(at|traceId)\":\"[^\"]*\"")]
    private static partial Regex Varying();

    private sealed record Answer(string Request, int Status, string? ContentType, string Body);
}
