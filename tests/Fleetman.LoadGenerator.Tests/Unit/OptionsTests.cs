namespace Fleetman.LoadGenerator.Tests.Unit;

public sealed class OptionsTests
{
    [Fact]
    public void The_kubernetes_manifests_arguments_parse_with_the_defaults_for_the_rest()
    {
        var options = OptionsParser.Parse(["--base-url", "http://gateway:8080", "--users", "200", "--ramp-up", "60s", "--duration", "30m"]);

        options.BaseUrl.ShouldBe(new Uri("http://gateway:8080/"));
        options.Users.ShouldBe(200);
        options.RampUp.ShouldBe(TimeSpan.FromSeconds(60));
        options.Duration.ShouldBe(TimeSpan.FromMinutes(30));
        options.Profile.ShouldBe(LoadProfile.Ramp);
        options.SpikeBase.ShouldBe(20);
        options.ThinkTime.ShouldBe(TimeSpan.FromSeconds(5));
        options.Mix.ShouldBe(new ActionMix(70, 20, 10));
        options.FollowTime.ShouldBe(TimeSpan.FromSeconds(30));
        options.RequestTimeout.ShouldBe(TimeSpan.FromSeconds(10));
        options.ReportInterval.ShouldBe(TimeSpan.FromSeconds(10));
        options.SkipNegotiation.ShouldBeFalse();
        options.JsonPath.ShouldBeNull();
        options.Seed.ShouldBeNull();
        options.Targets.ShouldBe(new Targets());
        options.Targets.Any.ShouldBeFalse();
    }

    [Fact]
    public void Every_option_is_read_in_both_spellings()
    {
        var options = OptionsParser.Parse(
        [
            "--base-url=https://fleetman.example.com/edge", "--users", "50", "--profile=spike", "--ramp-up", "20s",
            "--duration", "3m", "--spike-base", "5", "--think-time", "1500ms", "--mix", "list=1,vehicle=0,select=3",
            "--follow-time", "1m", "--request-timeout", "2s", "--report-interval", "5s", "--skip-negotiation",
            "--json", "/tmp/out.json", "--seed", "-7", "--max-request-p99-ms", "250", "--max-push-lag-p99-ms", "800.5",
            "--min-requests-per-second", "12", "--max-error-rate", "2.5%", "--min-positions-per-second", "1000",
        ]);

        options.BaseUrl.ShouldBe(new Uri("https://fleetman.example.com/edge/"), "a path prefix keeps the API under it");
        (options.Users, options.Profile, options.RampUp, options.Duration, options.SpikeBase)
            .ShouldBe((50, LoadProfile.Spike, TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(3), 5));
        (options.ThinkTime, options.FollowTime, options.RequestTimeout, options.ReportInterval)
            .ShouldBe((TimeSpan.FromMilliseconds(1500), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)));
        options.Mix.ShouldBe(new ActionMix(1, 0, 3));
        options.SkipNegotiation.ShouldBeTrue();
        options.JsonPath.ShouldBe("/tmp/out.json");
        options.Seed.ShouldBe(-7);
        options.Targets.ShouldBe(new Targets(250, 800.5, 12, 0.025, 1000));
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("30s", 30)]
    [InlineData("10m", 600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1m30s", 90)]
    [InlineData("1.5m", 90)]
    [InlineData("90", 90)]
    [InlineData("0", 0)]
    public void Durations_are_read_with_units_or_as_seconds(string text, double seconds)
    {
        Durations.TryParse(text, out var duration).ShouldBeTrue();
        duration.ShouldBe(TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ten")]
    [InlineData("5 minutes")]
    [InlineData("-3s")]
    [InlineData("3d")]
    [InlineData("1m 30s")]
    public void Other_durations_are_refused(string text) => Durations.TryParse(text, out _).ShouldBeFalse();

    [Fact]
    public void Durations_print_short() =>
        new[] { TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(125), TimeSpan.FromMinutes(90) }
            .Select(Durations.Format).ShouldBe(["250ms", "45s", "2m 05s", "1h 30m 00s"]);

    [Theory]
    [InlineData("Option '--base-url' is required", "--users", "3")]
    [InlineData("--base-url: \"ftp://host\" is not an http", "--base-url", "ftp://host")]
    [InlineData("--base-url: \"gateway:8080\" is not an http", "--base-url", "gateway:8080")]
    [InlineData("--base-url: \"http://u:p@host\"", "--base-url", "http://u:p@host")]
    [InlineData("--users: \"many\" is not a whole number", "--base-url", "http://h", "--users", "many")]
    [InlineData("--users: 0 is out of range (1 to 100000)", "--base-url", "http://h", "--users", "0")]
    [InlineData("--profile: \"burst\" is not one of steady, ramp, spike", "--base-url", "http://h", "--profile", "burst")]
    [InlineData("--duration: \"ten\" is not a duration", "--base-url", "http://h", "--duration", "ten")]
    [InlineData("--duration: 500ms is out of range", "--base-url", "http://h", "--duration", "500ms")]
    [InlineData("--ramp-up (2m 00s) is longer than --duration (1m 00s)", "--base-url", "http://h", "--ramp-up", "2m", "--duration", "1m")]
    [InlineData("--ramp-up (30s) is longer than a third of --duration", "--base-url", "http://h", "--profile", "spike", "--ramp-up", "30s", "--duration", "60s")]
    [InlineData("--spike-base applies to --profile spike only", "--base-url", "http://h", "--spike-base", "2")]
    [InlineData("--spike-base: 11 is out of range (0 to 10)", "--base-url", "http://h", "--profile", "spike", "--users", "10", "--spike-base", "11")]
    [InlineData("--mix: unknown action \"buy\"", "--base-url", "http://h", "--mix", "list=1,buy=2")]
    [InlineData("--mix: \"list\" is not action=weight", "--base-url", "http://h", "--mix", "list")]
    [InlineData("--mix: \"list=-1\" is not action=weight", "--base-url", "http://h", "--mix", "list=-1")]
    [InlineData("--mix: at least one action needs a weight above 0", "--base-url", "http://h", "--mix", "list=0")]
    [InlineData("--mix: list is given twice", "--base-url", "http://h", "--mix", "list=1,list=2")]
    [InlineData("--max-error-rate: \"150%\" is not between 0 and 1", "--base-url", "http://h", "--max-error-rate", "150%")]
    [InlineData("--max-error-rate: \"some\" is not a fraction", "--base-url", "http://h", "--max-error-rate", "some")]
    [InlineData("--max-request-p99-ms: \"fast\" is not a number", "--base-url", "http://h", "--max-request-p99-ms", "fast")]
    [InlineData("--min-requests-per-second: -1 is below 0", "--base-url", "http://h", "--min-requests-per-second", "-1")]
    [InlineData("--think-time: \"-1s\" is not a duration", "--base-url", "http://h", "--think-time", "-1s")]
    [InlineData("Unrecognized command or argument '--frobnicate'", "--base-url", "http://h", "--frobnicate", "1")]
    [InlineData("Unrecognized command or argument '200'", "--base-url", "http://h", "200")]
    [InlineData("Required argument missing for option: '--users'", "--base-url", "http://h", "--users")]
    // The parser takes the next word as the value, whatever it looks like: the value is then what is wrong.
    [InlineData("--users: \"--base-url\" is not a whole number", "--users", "--base-url", "http://h")]
    [InlineData("Option '--users' expects a single argument but 2 were provided", "--base-url", "http://h", "--users", "1", "--users", "2")]
    [InlineData("Unrecognized command or argument 'yes'", "--base-url", "http://h", "--skip-negotiation=yes")]
    public void A_bad_option_is_named(string message, params string[] args) =>
        Should.Throw<OptionsException>(() => OptionsParser.Parse(args)).Message.ShouldContain(message);

    [Theory]
    [InlineData("0.01", 0.01)]
    [InlineData("1%", 0.01)]
    [InlineData("0", 0)]
    [InlineData("100%", 1)]
    public void The_error_rate_is_a_fraction_or_a_percentage(string text, double rate) =>
        OptionsParser.Parse(["--base-url", "http://h", "--max-error-rate", text]).Targets.MaxErrorRate.ShouldBe(rate);

    [Theory]
    [InlineData(0.0, nameof(UserAction.List))]
    [InlineData(0.69, nameof(UserAction.List))]
    [InlineData(0.70, nameof(UserAction.Vehicle))]
    [InlineData(0.89, nameof(UserAction.Vehicle))]
    [InlineData(0.90, nameof(UserAction.Select))]
    [InlineData(0.999, nameof(UserAction.Select))]
    public void The_mix_picks_actions_by_weight(double draw, string action) => ActionMix.Default.Pick(draw).ToString().ShouldBe(action);

    [Fact]
    public void An_action_without_weight_is_never_picked()
    {
        var mix = new ActionMix(0, 1, 0);
        Enumerable.Range(0, 100).Select(i => mix.Pick(i / 100.0)).Distinct().ShouldBe([UserAction.Vehicle]);
    }
}
