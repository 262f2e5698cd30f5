namespace Fleetman.ServiceDefaults.Tests.Integration;

public sealed partial class JsonLoggingTests
{
    [Fact]
    public async Task A_log_written_inside_a_request_is_one_json_line_with_the_requests_trace_and_span_ids()
    {
        await using var service = await TestService.StartAsync(
            settings: new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = "position-tracker" },
            map: app => app.MapGet("/vehicles/{name}", (string name, ILogger<JsonLoggingTests> logger) =>
            {
                LogLookingUp(logger, name, 12.345);
                return $"{Activity.Current!.TraceId} {Activity.Current.SpanId}";
            }));

        var ids = (await service.Http.GetStringAsync(new Uri("/vehicles/truck-7", UriKind.Relative))).Split(' ');

        // Lines() parses every line of the output as one JSON object.
        var line = service.Logs.Lines().Single(l => l.GetProperty("@mt").GetString() == "Looking up {Vehicle} at {Speed:F1} mph");
        line.GetProperty("@tr").GetString().ShouldBe(ids[0]);
        line.GetProperty("@sp").GetString().ShouldBe(ids[1]);
        line.GetProperty("@l").GetString().ShouldBe("Information");
        line.GetProperty("@m").GetString().ShouldBe("Looking up truck-7 at 12.3 mph");
        DateTimeOffset.Parse(line.GetProperty("@t").GetString()!, CultureInfo.InvariantCulture).ShouldBe(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        line.GetProperty("Vehicle").GetString().ShouldBe("truck-7");
        line.GetProperty("Speed").GetDouble().ShouldBe(12.345);
        line.GetProperty("ServiceName").GetString().ShouldBe("position-tracker");
        line.GetProperty("SourceContext").GetString().ShouldBe(typeof(JsonLoggingTests).FullName);
        line.GetProperty("RequestPath").GetString().ShouldBe("/vehicles/truck-7");
        line.TryGetProperty("TraceId", out _).ShouldBeFalse("the ids are written once, as @tr and @sp");
        line.TryGetProperty("@x", out _).ShouldBeFalse("@x is written only with an exception");
    }

    [Fact]
    public async Task An_exception_is_written_with_its_stack_trace_inside_the_same_single_line()
    {
        await using var service = await TestService.StartAsync();
        var logger = service.App.Services.GetRequiredService<ILogger<JsonLoggingTests>>();

        LogStoreFailed(logger, Throw(), "truck-7");

        var line = service.Logs.Lines().Single(l => l.GetProperty("@mt").GetString() == "Could not store the position of {Vehicle}");
        line.GetProperty("@l").GetString().ShouldBe("Error");
        var exception = line.GetProperty("@x").GetString()!;
        exception.ShouldStartWith("System.InvalidOperationException: disk full");
        exception.ShouldContain(nameof(Throw));
    }

    [Fact]
    public async Task Answering_a_request_and_calling_another_service_write_no_log_line_per_request_by_default()
    {
        await using var backend = await TestService.StartAsync(map: app => app.MapGet("/vehicles/", () => "[]"));
        await using var service = await TestService.StartAsync(
            configure: builder => builder.Services.AddHttpClient("position-tracker", http => http.BaseAddress = backend.Http.BaseAddress),
            map: app => app.MapGet("/api/vehicles/", async (IHttpClientFactory clients, ILogger<JsonLoggingTests> logger) =>
            {
                LogNote(logger, LogLevel.Information, "answered");
                return await clients.CreateClient("position-tracker").GetStringAsync(new Uri("/vehicles/", UriKind.Relative));
            }));

        for (var i = 0; i < 3; i++)
        {
            (await service.Http.GetStringAsync(new Uri("/api/vehicles/", UriKind.Relative))).ShouldBe("[]");
        }

        var lines = service.Logs.Lines().Concat(backend.Logs.Lines()).ToList();
        lines.Count(l => l.TryGetProperty("Note", out _)).ShouldBe(3, "the service's own Information lines are written");
        lines.Select(l => l.GetProperty("SourceContext").GetString())
            .Where(source => source!.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal) || source.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal))
            .ShouldBeEmpty();
    }

    [Fact]
    public async Task With_default_level_warning_information_is_not_written_but_a_category_override_still_applies()
    {
        await using var service = await TestService.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Fleetman.Chatty"] = "Debug",
        });
        var quiet = service.App.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fleetman.Quiet");
        var chatty = service.App.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fleetman.Chatty");

        LogNote(quiet, LogLevel.Information, "quiet information");
        LogNote(quiet, LogLevel.Warning, "quiet warning");
        LogNote(chatty, LogLevel.Debug, "chatty debug");

        var notes = service.Logs.Lines().Where(l => l.TryGetProperty("Note", out _)).Select(l => l.GetProperty("Note").GetString()).ToList();
        notes.ShouldBe(["quiet warning", "chatty debug"]);
    }

    [Fact]
    public async Task Levels_set_through_environment_variables_with_double_underscores_apply()
    {
        // A variable name no other test or process uses: the process environment is shared by every test.
        var prefix = $"FLEETMAN_TEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "Logging__LogLevel__Default", "Warning");
        try
        {
            await using var service = await TestService.StartAsync(configureSources: configuration =>
                configuration.AddEnvironmentVariables(prefix));
            var logger = service.App.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fleetman.Quiet");

            LogNote(logger, LogLevel.Information, "information");
            LogNote(logger, LogLevel.Warning, "warning");

            service.Logs.Lines().Where(l => l.TryGetProperty("Note", out _)).Select(l => l.GetProperty("Note").GetString()).ShouldBe(["warning"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Logging__LogLevel__Default", null);
        }
    }

    private static InvalidOperationException Throw()
    {
        try
        {
            throw new InvalidOperationException("disk full");
        }
        catch (InvalidOperationException e)
        {
            return e;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Looking up {Vehicle} at {Speed:F1} mph")]
    private static partial void LogLookingUp(ILogger logger, string vehicle, double speed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store the position of {Vehicle}")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string vehicle);

    [LoggerMessage(Message = "{Note}")]
    private static partial void LogNote(ILogger logger, LogLevel level, string note);
}
