using Microsoft.Extensions.Time.Testing;

namespace Fleetman.ServiceDefaults.Tests.Unit;

public sealed partial class JsonLogFormatTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 19, 30, 5, TimeSpan.Zero);
    private static readonly string[] Vehicles = ["truck-1", "truck-2"];

    [Fact]
    public void A_line_has_the_time_with_seven_fractional_digits_the_level_template_message_and_typed_properties()
    {
        var (factory, logs) = Logging(Now.AddTicks(1234567));
        var logger = factory.CreateLogger("Fleetman.QueueConsumer.Storage");

        using (logger.BeginScope(new Dictionary<string, object?> { ["Vehicles"] = Vehicles, ["Batch"] = new Dictionary<string, object?> { ["Size"] = 2 } }))
        {
            LogStored(logger, 12, 0.25, true, Now, null);
        }

        var line = logs.Lines().ShouldHaveSingleItem();
        line.GetProperty("@t").GetString().ShouldBe("2026-12-06T19:30:05.1234567Z");
        line.GetProperty("@l").GetString().ShouldBe("Information");
        line.GetProperty("@mt").GetString().ShouldBe("Stored {Count} positions in {Seconds} s (complete: {Complete}) at {At:O} from {Source}");
        line.GetProperty("@m").GetString().ShouldBe("Stored 12 positions in 0.25 s (complete: True) at 2026-12-06T19:30:05.0000000+00:00 from (null)");
        line.GetProperty("Count").GetInt32().ShouldBe(12);
        line.GetProperty("Seconds").GetDouble().ShouldBe(0.25);
        line.GetProperty("Complete").GetBoolean().ShouldBeTrue();
        line.GetProperty("At").GetString().ShouldBe("2026-12-06T19:30:05.0000000+00:00");
        line.GetProperty("Vehicles").EnumerateArray().Select(v => v.GetString()).ShouldBe(["truck-1", "truck-2"]);
        line.GetProperty("Batch").GetProperty("Size").GetInt32().ShouldBe(2);
        line.GetProperty("Source").ValueKind.ShouldBe(JsonValueKind.Null);
        line.GetProperty("EventId").GetProperty("Id").GetInt32().ShouldBe(7);
        line.GetProperty("EventId").GetProperty("Name").GetString().ShouldBe(nameof(LogStored));
        line.GetProperty("SourceContext").GetString().ShouldBe("Fleetman.QueueConsumer.Storage");
        line.GetProperty("ServiceName").GetString().ShouldBe("queue-consumer");
        line.TryGetProperty("@x", out _).ShouldBeFalse("@x is written only with an exception");
        line.TryGetProperty("@tr", out _).ShouldBeFalse("outside a trace there are no trace ids");
        line.TryGetProperty("{OriginalFormat}", out _).ShouldBeFalse("the template is @mt");
    }

    [Fact]
    public void A_time_on_a_whole_second_still_has_seven_fractional_digits()
    {
        var (factory, logs) = Logging(Now);
        var logger = factory.CreateLogger("Fleetman.Test");

        LogNote(logger, LogLevel.Information, "on the second");

        logs.Lines().ShouldHaveSingleItem().GetProperty("@t").GetString().ShouldBe("2026-12-06T19:30:05.0000000Z");
    }

    [Theory]
    [InlineData(LogLevel.Trace, "Verbose")]
    [InlineData(LogLevel.Debug, "Debug")]
    [InlineData(LogLevel.Information, "Information")]
    [InlineData(LogLevel.Warning, "Warning")]
    [InlineData(LogLevel.Error, "Error")]
    [InlineData(LogLevel.Critical, "Fatal")]
    public void Levels_have_their_clef_names_on_every_line(LogLevel level, string name)
    {
        var (factory, logs) = Logging(Now);
        var logger = factory.CreateLogger("Fleetman.Test");

        LogNote(logger, level, "a note");

        logs.Lines().ShouldHaveSingleItem().GetProperty("@l").GetString().ShouldBe(name);
    }

    [Fact]
    public void Quotes_backslashes_line_breaks_and_braces_stay_inside_one_line_and_read_back_as_written()
    {
        var (factory, logs) = Logging(Now);
        var logger = factory.CreateLogger("Fleetman.Test");
        const string Note = "say \"hi\"\\ to Zürich\r\nsecond line\t{not a hole} <b>&</b>";

        LogNote(logger, LogLevel.Warning, Note);
        LogBraces(logger, 3);

        var text = logs.ToString();
        text.Count(c => c == '\n').ShouldBe(2, "one line per event");
        text.ShouldContain("Zürich", Case.Sensitive, "non-ASCII text is written as it is");
        var lines = logs.Lines();
        lines[0].GetProperty("@m").GetString().ShouldBe(Note);
        lines[0].GetProperty("Note").GetString().ShouldBe(Note);
        lines[1].GetProperty("@mt").GetString().ShouldBe("Braces {{kept}} around {Value}");
        lines[1].GetProperty("@m").GetString().ShouldBe("Braces {kept} around 3");
    }

    [Fact]
    public void An_exception_is_written_whole_as_at_x_inside_the_same_line()
    {
        var (factory, logs) = Logging(Now);
        var logger = factory.CreateLogger("Fleetman.Test");
        var exception = Thrown();

        LogFailed(logger, exception, "truck-7");

        var line = logs.Lines().ShouldHaveSingleItem();
        line.GetProperty("@l").GetString().ShouldBe("Error");
        line.GetProperty("@m").GetString().ShouldBe("Could not store the position of truck-7");
        line.GetProperty("@x").GetString().ShouldBe(exception.ToString());
        line.GetProperty("@x").GetString()!.ShouldContain(nameof(Thrown));
    }

    [Fact]
    public void Inside_a_trace_the_line_has_its_trace_and_span_ids_and_the_properties_of_the_scopes_around_it()
    {
        var (factory, logs) = Logging(Now);
        var logger = factory.CreateLogger("Fleetman.Test");
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        using (logger.BeginScope(new Dictionary<string, object?> { ["RequestPath"] = "/outer", ["RequestId"] = "r-1" }))
        using (logger.BeginScope(new Dictionary<string, object?> { ["RequestPath"] = "/inner", ["Note"] = "from a scope" }))
        using (logger.BeginScope("plain text scope"))
        using (logger.BeginScope("Batch {Batch}", 4))
        {
            LogNote(logger, LogLevel.Information, "from the event");
        }

        var line = logs.Lines().ShouldHaveSingleItem();
        line.GetProperty("@tr").GetString().ShouldBe(activity.TraceId.ToHexString());
        line.GetProperty("@sp").GetString().ShouldBe(activity.SpanId.ToHexString());
        line.GetProperty("RequestId").GetString().ShouldBe("r-1");
        line.GetProperty("RequestPath").GetString().ShouldBe("/inner", "an inner scope's property replaces an outer one's");
        line.GetProperty("Note").GetString().ShouldBe("from the event", "the event's property wins over a scope's");
        line.GetProperty("Batch").GetInt32().ShouldBe(4);
        line.GetProperty("Scope").EnumerateArray().Select(s => s.GetString()).ShouldBe(["plain text scope", "Batch 4"]);
        JsonSerializer.Serialize(line).Split("\"Note\"").Length.ShouldBe(2, "each property is written once");
    }

    [Fact]
    public void The_message_is_rendered_with_the_invariant_culture_whatever_the_threads_culture()
    {
        var (factory, logs) = Logging(Now);
        var logger = factory.CreateLogger("Fleetman.Test");
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        var original = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = comma;
        try
        {
            LogSpeed(logger, "truck-7", 12.345, 1234.5m);
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }

        var line = logs.Lines().ShouldHaveSingleItem();
        line.GetProperty("@m").GetString().ShouldBe("truck-7 at 12.3 mph,    1234.50 km");
        line.GetProperty("Speed").GetDouble().ShouldBe(12.345);
        line.GetProperty("Distance").GetDecimal().ShouldBe(1234.5m);
    }

    [Fact]
    public void The_hosts_own_report_of_invalid_options_is_not_written_but_its_other_errors_are()
    {
        var (factory, logs) = Logging(Now);
        var host = factory.CreateLogger("Microsoft.Extensions.Hosting.Internal.Host");
        var invalid = new OptionsValidationException("Sample", typeof(object), ["Sample:Port must be 1-65535."]);

        LogFailed(host, invalid, "options");
        LogFailed(host, Thrown(), "disk");

        logs.Lines().ShouldHaveSingleItem().GetProperty("@m").GetString().ShouldBe("Could not store the position of disk");
    }

    private static (ILoggerFactory Factory, LogCapture Logs) Logging(DateTimeOffset now)
    {
        var logs = new LogCapture();
        var factory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Trace)
            .AddProvider(new TextWriterLoggerProvider(new JsonLogFormat("queue-consumer", new FakeTimeProvider(now)), logs)));
        return (factory, logs);
    }

    private static InvalidOperationException Thrown()
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

    [LoggerMessage(EventId = 7, Level = LogLevel.Information,
        Message = "Stored {Count} positions in {Seconds} s (complete: {Complete}) at {At:O} from {Source}")]
    private static partial void LogStored(ILogger logger, int count, double seconds, bool complete, DateTimeOffset at, string? source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store the position of {Vehicle}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string vehicle);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Vehicle} at {Speed:F1} mph, {Distance,10:F2} km")]
    private static partial void LogSpeed(ILogger logger, string vehicle, double speed, decimal distance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Braces {{kept}} around {Value}")]
    private static partial void LogBraces(ILogger logger, int value);

    [LoggerMessage(Message = "{Note}")]
    private static partial void LogNote(ILogger logger, LogLevel level, string note);
}
