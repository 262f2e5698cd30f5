namespace Fleetman.QueueConsumer.Tests.Unit;

public class SpeedCalculatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_first_report_of_a_batch_is_measured_from_the_newest_stored_point()
    {
        var stored = new Dictionary<string, VehiclePosition> { ["Van"] = new("Van", 53.33507, -1.53766, Start, 10, 0) };

        var position = SpeedCalculator.Compute([new PositionReported("Van", 53.33635, -1.53682, Start.AddSeconds(5))], stored).ShouldHaveSingleItem();

        position.SpeedMph!.Value.ShouldBe(68.45, 0.1);
        position.Heading!.Value.ShouldBe(21.2, 0.5);
    }

    [Fact]
    public void Reports_arriving_out_of_order_are_handled_in_time_order_per_vehicle()
    {
        var reports = new[]
        {
            new PositionReported("Van", 53.34292, -1.52083, Start.AddSeconds(60)),
            new PositionReported("Bus", 53.0, -1.0, Start),
            new PositionReported("Van", 53.33393, -1.52097, Start),
        };

        var positions = SpeedCalculator.Compute(reports, new Dictionary<string, VehiclePosition>());

        var van = positions.Where(p => p.Vehicle == "Van").ToList();
        van.Select(p => p.Time).ShouldBe([Start, Start.AddSeconds(60)]);
        van[1].SpeedMph!.Value.ShouldBe(37.28, 0.1);
        positions.Single(p => p.Vehicle == "Bus").SpeedMph.ShouldBeNull();
    }

    [Fact]
    public void A_late_report_older_than_the_stored_newest_is_measured_against_it_and_keeps_a_speed()
    {
        var stored = new Dictionary<string, VehiclePosition> { ["Van"] = new("Van", 53.34292, -1.52083, Start.AddSeconds(60), 30, 0) };

        var late = SpeedCalculator.Compute([new PositionReported("Van", 53.33393, -1.52097, Start)], stored).ShouldHaveSingleItem();

        late.SpeedMph!.Value.ShouldBe(37.28, 0.1, "distance over the time between the two, whichever came first");
    }

    [Fact]
    public void The_same_report_twice_in_a_batch_yields_one_position()
    {
        var report = new PositionReported("Van", 53.1, -1.1, Start);

        SpeedCalculator.Compute([report, report], new Dictionary<string, VehiclePosition>()).ShouldHaveSingleItem();
    }

    [Fact]
    public void A_vehicle_standing_still_keeps_its_last_heading()
    {
        var stored = new Dictionary<string, VehiclePosition> { ["Van"] = new("Van", 53.1, -1.1, Start, 20, 123) };

        var position = SpeedCalculator.Compute([new PositionReported("Van", 53.1, -1.1, Start.AddSeconds(5))], stored).ShouldHaveSingleItem();

        position.SpeedMph.ShouldBe(0);
        position.Heading.ShouldBe(123);
    }
}
