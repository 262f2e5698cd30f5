namespace Fleetman.LoadGenerator.Tests.Unit;

public sealed class LoadScheduleTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Steady_runs_every_user_from_the_start_to_the_end()
    {
        var schedule = new LoadSchedule(LoadProfile.Steady, 200, S(60), S(600));

        schedule.UsersAt(S(0)).ShouldBe(200);
        schedule.UsersAt(S(599.9)).ShouldBe(200);
        schedule.UsersAt(S(600)).ShouldBe(0);
        schedule.UsersAt(S(-1)).ShouldBe(0);
    }

    [Fact]
    public void Ramp_starts_users_evenly_over_the_ramp_up_the_first_at_once_then_holds()
    {
        var schedule = new LoadSchedule(LoadProfile.Ramp, 10, S(10), S(60));

        new[] { 0, 0.99, 1, 4.5, 9.99, 10, 59.99, 60 }.Select(t => schedule.UsersAt(S(t)))
            .ShouldBe([1, 1, 2, 5, 10, 10, 10, 0]);
    }

    [Fact]
    public void Ramp_of_the_kubernetes_manifest_adds_200_users_in_a_minute_without_a_step_back()
    {
        var schedule = new LoadSchedule(LoadProfile.Ramp, 200, S(60), S(1800));
        var counts = Enumerable.Range(0, 700).Select(i => schedule.UsersAt(S(i * 0.1))).ToList();

        counts.ShouldBeInOrder(SortDirection.Ascending);
        counts[0].ShouldBe(1);
        schedule.UsersAt(S(30)).ShouldBe(101);
        schedule.UsersAt(S(59.7)).ShouldBe(200);
        counts.Last().ShouldBe(200);
    }

    [Fact]
    public void Ramp_without_ramp_up_is_steady()
    {
        var schedule = new LoadSchedule(LoadProfile.Ramp, 7, TimeSpan.Zero, S(10));

        schedule.UsersAt(S(0)).ShouldBe(7);
        schedule.UsersAt(S(9)).ShouldBe(7);
    }

    [Fact]
    public void Spike_holds_the_base_rises_at_a_third_holds_and_drops_back_at_two_thirds()
    {
        var schedule = new LoadSchedule(LoadProfile.Spike, 100, S(9), S(90), spikeBase: 10);

        schedule.Spike.ShouldBe((S(30), S(60)));
        new[] { 0, 29.99, 30, 34.5, 38.99, 39, 59.99, 60, 89.99, 90 }.Select(t => schedule.UsersAt(S(t)))
            .ShouldBe([10, 10, 11, 56, 100, 100, 100, 10, 10, 0]);
    }

    [Fact]
    public void Spike_from_no_users()
    {
        var schedule = new LoadSchedule(LoadProfile.Spike, 4, S(0), S(30), spikeBase: 0);

        new[] { 0, 9.9, 10, 19.9, 20 }.Select(t => schedule.UsersAt(S(t))).ShouldBe([0, 0, 4, 4, 0]);
    }

    [Fact]
    public void The_options_make_the_schedule()
    {
        var options = OptionsParser.Parse(["--base-url", "http://h", "--profile", "spike", "--users", "30", "--duration", "30m", "--ramp-up", "1m"]);
        var schedule = LoadSchedule.For(options);

        schedule.UsersAt(S(60)).ShouldBe(3);
        schedule.UsersAt(S(1000)).ShouldBe(30);
        schedule.Describe().ShouldBe("spike: 3 users, up to 30 over 1m 00s at 10m 00s, back to 3 at 20m 00s, end at 30m 00s");
    }
}
