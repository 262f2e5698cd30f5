using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fleetman.ServiceDefaults;

/// <summary>
/// Writes a health report as a small JSON body:
/// <c>{"status":"Unhealthy","checks":{"broker":{"status":"Unhealthy","description":"Not connected ..."}}}</c>.
/// </summary>
internal static class HealthResponse
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";

        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteString("description", Describe(entry));
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    // A check that throws gets the exception's message as its description, and such messages can name hosts, users or
    // connection strings. Anyone who can reach the port can read this body, so only the exception's type is shown here;
    // the health check service logs the whole exception.
    private static string? Describe(HealthReportEntry entry) =>
        entry.Exception is { } exception && entry.Description == exception.Message
            ? $"The check failed with {exception.GetType().Name}; the service's log has the details."
            : entry.Description;
}
