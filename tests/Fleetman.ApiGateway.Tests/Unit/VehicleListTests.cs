using System.Text.Json.Serialization;
using Fleetman.ApiGateway.Apis;
using Fleetman.Contracts.Api;

namespace Fleetman.ApiGateway.Tests.Unit;

public sealed class VehicleListTests
{
    /// <summary>
    /// What the tracker's /vehicles/ (and the gateway's Redis fallback) write with: ASP.NET Core's JSON options for
    /// minimal APIs with the numbers made strict, as both services configure them.
    /// </summary>
    private static readonly JsonSerializerOptions ApiJson = new(new Microsoft.AspNetCore.Http.Json.JsonOptions().SerializerOptions)
    {
        NumberHandling = JsonNumberHandling.Strict,
    };

    private static readonly DateTimeOffset Noon = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Names and values that JSON writers disagree on: escaping, nulls, offsets, fractions, extremes.</summary>
    private static readonly VehiclePosition[] Awkward =
    [
        new("City Truck", 53.38, -1.47, Noon, 23.4, 181.2),
        new("Café <&> 'Bus' \"7\" ñ 日本 🚌", -33.8688, 151.2093, Noon.AddMilliseconds(500), null, null),
        new("Van\\1\t", 0, -0.0, new DateTimeOffset(2026, 11, 22, 13, 0, 0, 123, TimeSpan.FromHours(1)), 0.1 + 0.2, 359.99999999999994),
        new("a", 1e-7, 89.99999, Noon.AddTicks(1234567), double.Epsilon, 1e21),
        new("Z", double.MaxValue, double.MinValue, DateTimeOffset.MinValue.ToUniversalTime(), 120, null),
    ];

    [Fact]
    public void The_list_is_the_json_the_apis_write_for_the_same_positions_byte_for_byte()
    {
        var list = new VehicleList(ApiJson);
        list.Complete(list.BeginRead(), Awkward);

        // The existing path: reflection over the positions ordered by name.
        var expected = JsonSerializer.SerializeToUtf8Bytes(
            Awkward.OrderBy(p => p.Vehicle, StringComparer.Ordinal).Select(VehiclePositionResponse.From).ToArray(), ApiJson);

        list.Current()!.Body.ShouldBe(expected);
    }

    [Fact]
    public void Until_it_is_read_from_redis_once_the_list_has_no_answer_since_it_knows_only_the_updates_since_start()
    {
        var list = new VehicleList(ApiJson);
        var read = list.BeginRead();
        list.Apply([Awkward[0]]);
        list.Current().ShouldBeNull();
        list.IsComplete.ShouldBeFalse();

        // The update came while Redis was being read: it stays beside what the read found.
        list.Complete(read, [Awkward[1]]);

        list.IsComplete.ShouldBeTrue();
        JsonDocument.Parse(list.Current()!.Body).RootElement.GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public void A_position_no_newer_to_the_millisecond_than_its_vehicles_changes_nothing_as_in_redis()
    {
        var list = new VehicleList(ApiJson);
        var truck = Awkward[0];
        list.Complete(list.BeginRead(), [truck]);
        var before = list.Current()!;

        list.Apply([truck with { Latitude = 1, Time = truck.Time.AddTicks(9_999) }, truck with { Latitude = 2, Time = truck.Time.AddSeconds(-1) }]).ShouldBeFalse();
        list.Current().ShouldBeSameAs(before);

        list.Apply([truck with { Latitude = 3, Time = truck.Time.AddMilliseconds(1) }]).ShouldBeTrue();
        var after = list.Current()!;
        after.ETag.ShouldNotBe(before.ETag);
        JsonDocument.Parse(after.Body).RootElement[0].GetProperty("lat").GetDouble().ShouldBe(3);
    }

    [Fact]
    public void Removing_a_vehicle_drops_it_and_changes_the_etag()
    {
        var list = new VehicleList(ApiJson);
        list.Complete(list.BeginRead(), Awkward);
        var before = list.Current()!;

        list.Remove("City Truck").ShouldBeTrue();
        list.Remove("Nobody").ShouldBeFalse();

        var after = list.Current()!;
        after.ETag.ShouldNotBe(before.ETag);
        JsonDocument.Parse(after.Body).RootElement.EnumerateArray().Select(v => v.GetProperty("name").GetString()).ShouldNotContain("City Truck");
    }

    [Fact]
    public void The_same_list_has_the_same_weak_etag_whatever_order_it_arrived_in_so_replicas_agree()
    {
        var one = new VehicleList(ApiJson);
        one.Complete(one.BeginRead(), Awkward);
        var other = new VehicleList(ApiJson);
        var read = other.BeginRead();
        other.Apply(Awkward.Reverse());
        other.Complete(read, []);

        other.Current()!.ETag.ShouldBe(one.Current()!.ETag);
        one.Current()!.ETag.ShouldStartWith("W/\"");
    }

    [Fact]
    public void A_read_of_redis_replaces_the_list_so_a_vehicle_redis_no_longer_has_leaves_and_the_etag_changes()
    {
        var list = new VehicleList(ApiJson);
        list.Complete(list.BeginRead(), Awkward);
        var before = list.Current()!;

        list.Complete(list.BeginRead(), Awkward.Where(p => p.Vehicle != "City Truck"));

        var after = list.Current()!;
        after.ETag.ShouldNotBe(before.ETag);
        Names(after).ShouldBe(Awkward.Select(p => p.Vehicle).Where(v => v != "City Truck").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_vehicle_the_topic_brought_after_the_read_began_stays_until_a_read_that_began_after_it_misses_it()
    {
        var list = new VehicleList(ApiJson);
        list.Complete(list.BeginRead(), [Awkward[1]]);
        var truck = Awkward[0];

        var read = list.BeginRead();
        list.Apply([truck]);
        list.Complete(read, [Awkward[1]]);
        Names(list.Current()!).ShouldContain(truck.Vehicle);

        list.Complete(list.BeginRead(), [Awkward[1]]);
        Names(list.Current()!).ShouldNotContain(truck.Vehicle);
    }

    [Fact]
    public void A_read_keeps_the_newer_position_of_a_vehicle_the_topic_moved_on_after_the_read_began()
    {
        var list = new VehicleList(ApiJson);
        var truck = Awkward[0];
        list.Complete(list.BeginRead(), [truck]);

        var read = list.BeginRead();
        list.Apply([truck with { Latitude = 7, Time = truck.Time.AddSeconds(1) }]);
        list.Complete(read, [truck]);

        JsonDocument.Parse(list.Current()!.Body).RootElement[0].GetProperty("lat").GetDouble().ShouldBe(7);
    }

    [Fact]
    public void A_vehicle_removed_while_a_read_was_under_way_is_not_brought_back_by_what_that_read_found()
    {
        var list = new VehicleList(ApiJson);
        list.Complete(list.BeginRead(), Awkward);
        var truck = Awkward[0];

        var read = list.BeginRead(); // Redis still had the truck when this read looked
        list.Remove(truck.Vehicle);
        list.Complete(read, Awkward);
        Names(list.Current()!).ShouldNotContain(truck.Vehicle);

        // A later read is the truth again, and a position the topic brings after the removal means it is back.
        list.Complete(list.BeginRead(), Awkward.Where(p => p.Vehicle != truck.Vehicle));
        Names(list.Current()!).ShouldNotContain(truck.Vehicle);
        list.Apply([truck with { Time = truck.Time.AddSeconds(1) }]);
        Names(list.Current()!).ShouldContain(truck.Vehicle);
    }

    [Fact]
    public void A_read_that_finds_the_same_vehicles_changes_nothing_so_the_written_list_is_kept()
    {
        var list = new VehicleList(ApiJson);
        list.Complete(list.BeginRead(), Awkward);
        var before = list.Current()!;

        list.Complete(list.BeginRead(), Awkward);

        list.Current().ShouldBeSameAs(before);
    }

    private static List<string?> Names(VehicleList.Written written) =>
        JsonDocument.Parse(written.Body).RootElement.EnumerateArray().Select(v => v.GetProperty("name").GetString()).ToList();
}
