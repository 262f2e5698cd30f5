namespace Fleetman.ServiceDefaults.Tests.Unit;

public sealed class ValidatedOptionsTests
{
    [Fact]
    public async Task A_missing_required_setting_fails_start_naming_the_configuration_key_and_the_environment_variable()
    {
        await using var app = TestService.Build(new LogCapture(), new Dictionary<string, string?> { ["Sample:Port"] = "61613" },
            builder => builder.AddValidatedOptions<SampleOptions>("Sample", static (section, options) => section.Bind(options)));

        var error = await Should.ThrowAsync<OptionsValidationException>(app.StartAsync());

        error.Failures.ShouldBe(["Sample:Host (environment variable Sample__Host): The Host field is required."]);
    }

    [Fact]
    public async Task An_out_of_range_setting_fails_start_naming_the_setting_and_the_allowed_range()
    {
        await using var app = TestService.Build(new LogCapture(), new Dictionary<string, string?> { ["Sample:Host"] = "activemq", ["Sample:Port"] = "70000" },
            builder => builder.AddValidatedOptions<SampleOptions>("Sample", static (section, options) => section.Bind(options)));

        var error = await Should.ThrowAsync<OptionsValidationException>(app.StartAsync());

        error.Failures.ShouldBe(["Sample:Port (environment variable Sample__Port): The field Port must be between 1 and 65535."]);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_fails_start_naming_the_setting_and_the_value()
    {
        await using var app = TestService.Build(new LogCapture(), new Dictionary<string, string?> { ["Sample:Host"] = "activemq", ["Sample:Port"] = "sixty" },
            builder => builder.AddValidatedOptions<SampleOptions>("Sample", static (section, options) => section.Bind(options)));

        var error = await Should.ThrowAsync<OptionsValidationException>(app.StartAsync());

        error.Failures.ShouldBe(["Sample:Port (environment variable Sample__Port): 'sixty' is not a valid Int32."]);
    }

    [Fact]
    public async Task Valid_settings_are_bound()
    {
        await using var app = TestService.Build(new LogCapture(),
            new Dictionary<string, string?> { ["Sample:Host"] = "activemq", ["Sample:Port"] = "61613" },
            builder => builder.AddValidatedOptions<SampleOptions>("Sample", static (section, options) => section.Bind(options)));

        var options = app.Services.GetRequiredService<IOptions<SampleOptions>>().Value;

        options.Host.ShouldBe("activemq");
        options.Port.ShouldBe(61613);
    }
}
