namespace Fleetman.ServiceDefaults.Tests.Unit;

public sealed class ValidatedOptionsTests
{
    [Theory]
    [InlineData(null, "61613", "Sample:Host (environment variable Sample__Host): The Host field is required.")]
    [InlineData("activemq", "70000", "Sample:Port (environment variable Sample__Port): The field Port must be between 1 and 65535.")]
    [InlineData("activemq", "sixty", "Sample:Port (environment variable Sample__Port): 'sixty' is not a valid Int32.")]
    public async Task A_missing_out_of_range_or_mistyped_setting_fails_start_naming_the_key_the_environment_variable_and_the_problem(
        string? host, string port, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Sample:Port"] = port };
        if (host is not null)
        {
            settings["Sample:Host"] = host;
        }

        await using var app = TestService.Build(new LogCapture(), settings, builder => builder.AddValidatedOptions<SampleOptions>("Sample", static (section, options) => section.Bind(options)));

        var error = await Should.ThrowAsync<OptionsValidationException>(app.StartAsync());

        error.Failures.ShouldBe([expected]);
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
