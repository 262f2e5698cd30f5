namespace Fleetman.QueueConsumer.Tests.Unit;

public class PositionValidationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(2);

    [Fact]
    public void A_plausible_report_has_no_problem()
    {
        PositionValidation.Problem(new PositionReported("City Truck", 53.38, -1.47, Now), Now, Skew).ShouldBeNull();
    }

    [Theory]
    [InlineData("", 53.0, -1.0, 0, "vehicle is empty")]
    [InlineData(" ", 53.0, -1.0, 0, "vehicle is empty")]
    [InlineData("Van\n1", 53.0, -1.0, 0, "control characters")]
    [InlineData("Van", 91.0, -1.0, 0, "lat 91 is outside -90..90")]
    [InlineData("Van", double.NaN, -1.0, 0, "lat NaN is outside")]
    [InlineData("Van", 53.0, 180.5, 0, "long 180.5 is outside -180..180")]
    [InlineData("Van", 53.0, -1.0, -10_000, "is before 2000")]
    public void Unusable_reports_are_refused_with_the_reason(string vehicle, double lat, double lon, int daysFromNow, string reason)
    {
        var problem = PositionValidation.Problem(new PositionReported(vehicle, lat, lon, Now.AddDays(daysFromNow)), Now, Skew);

        problem.ShouldNotBeNull().ShouldContain(reason);
    }

    [Fact]
    public void An_oversized_vehicle_name_is_refused()
    {
        var problem = PositionValidation.Problem(new PositionReported(new string('x', 101), 53, -1, Now), Now, Skew);

        problem.ShouldNotBeNull().ShouldContain("longer than 100");
    }

    [Fact]
    public void A_report_beyond_the_clock_skew_bound_is_refused_naming_the_setting_and_one_within_it_is_not()
    {
        PositionValidation.Problem(new PositionReported("Van", 53, -1, Now + Skew), Now, Skew).ShouldBeNull();
        PositionValidation.Problem(new PositionReported("Van", 53, -1, Now + Skew + TimeSpan.FromSeconds(1)), Now, Skew)
            .ShouldNotBeNull().ShouldContain("more than 00:02:00 ahead of the consumer's clock");
        PositionValidation.Problem(new PositionReported("Van", 53, -1, Now.AddDays(1)), Now, TimeSpan.FromDays(2)).ShouldBeNull();
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("8.00:00:00")]
    public void A_clock_skew_bound_outside_one_second_to_seven_days_is_refused(string value)
    {
        var options = new QueueConsumerPipelineOptions { MaxClockSkew = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) };
        options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ShouldHaveSingleItem()
            .MemberNames.ShouldBe([nameof(QueueConsumerPipelineOptions.MaxClockSkew)]);
    }

    [Fact]
    public void The_default_clock_skew_bound_is_two_minutes() => new QueueConsumerPipelineOptions().MaxClockSkew.ShouldBe(TimeSpan.FromMinutes(2));
}
