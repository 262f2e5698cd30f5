namespace Fleetman.Deploy.Tests;

/// <summary>
/// Kibana's saved objects for the logging component: the data view of Fluent Bit's indices and a saved search whose
/// columns are fields the services really write (JsonLogFormat) where Fluent Bit really puts them (Merge_Log_Key).
/// </summary>
public sealed class LogSearchTests
{
    private static readonly string Logging = Path.Combine(Repository.Root, "k8s", "components", "logging");

    [Fact]
    public void The_saved_search_shows_service_level_message_trace_and_span_from_the_shipped_json_lines()
    {
        var objects = File.ReadAllLines(Path.Combine(Logging, "kibana-saved-objects.ndjson"))
            .Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var view = objects.Single(item => item.GetProperty("type").GetString() == "index-pattern");
        var search = objects.Single(item => item.GetProperty("type").GetString() == "search");

        view.GetProperty("attributes").GetProperty("title").GetString().ShouldBe("fleetman-*");
        File.ReadAllText(Path.Combine(Logging, "fluent-bit.conf")).ShouldContain("Logstash_Prefix     fleetman");
        search.GetProperty("references").EnumerateArray().Select(reference => reference.GetProperty("id").GetString())
            .ShouldBe([view.GetProperty("id").GetString()]);

        File.ReadAllText(Path.Combine(Logging, "fluent-bit.conf")).ShouldContain("Merge_Log_Key       log_processed");
        // The line's template (@l, @m, @tr, @sp) and the property every line is enriched with (ServiceName).
        var defaults = Path.Combine(Repository.Root, "services", "Fleetman.ServiceDefaults");
        var format = File.ReadAllText(Path.Combine(defaults, "JsonLogFormat.cs")) + File.ReadAllText(Path.Combine(defaults, "Extensions.cs"));
        var columns = search.GetProperty("attributes").GetProperty("columns").EnumerateArray().Select(column => column.GetString()!).ToList();
        columns.ShouldBe(["log_processed.ServiceName", "log_processed.@l", "log_processed.@m", "log_processed.@tr", "log_processed.@sp"]);
        foreach (var field in columns.Select(column => column["log_processed.".Length..]))
        {
            format.ShouldContain(field, Case.Sensitive, $"the services write no {field}");
        }
    }
}
