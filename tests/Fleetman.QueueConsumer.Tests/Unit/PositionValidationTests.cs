using Fleetman.Contracts;

namespace Fleetman.QueueConsumer.Tests.Unit;

public class PositionValidationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_plausible_report_has_no_problem()
    {
        PositionValidation.Problem(new PositionReported("City Truck", 53.38, -1.47, Now), Now).ShouldBeNull();
    }

    [Theory]
    [InlineData("", 53.0, -1.0, 0, "vehicle is empty")]
    [InlineData(" ", 53.0, -1.0, 0, "vehicle is empty")]
    [InlineData("Van\n1", 53.0, -1.0, 0, "control characters")]
    [InlineData("Van", 91.0, -1.0, 0, "lat 91 is outside -90..90")]
    [InlineData("Van", double.NaN, -1.0, 0, "lat NaN is outside")]
    [InlineData("Van", 53.0, 180.5, 0, "long 180.5 is outside -180..180")]
    [InlineData("Van", 53.0, -1.0, -10_000, "is before 2000")]
    [InlineData("Van", 53.0, -1.0, 8, "more than 7 days in the future")]
    public void Unusable_reports_are_refused_with_the_reason(string vehicle, double lat, double lon, int daysFromNow, string reason)
    {
        var problem = PositionValidation.Problem(new PositionReported(vehicle, lat, lon, Now.AddDays(daysFromNow)), Now);

        problem.ShouldNotBeNull().ShouldContain(reason);
    }

    [Fact]
    public void An_oversized_vehicle_name_is_refused()
    {
        var problem = PositionValidation.Problem(new PositionReported(new string('x', 101), 53, -1, Now), Now);

        problem.ShouldNotBeNull().ShouldContain("longer than 100");
    }
}
