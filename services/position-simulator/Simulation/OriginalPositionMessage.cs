namespace Fleetman.PositionSimulator.Simulation;

/// <summary>
/// A position report as the original Java position-simulator sends it, for the original position-tracker: a map of
/// strings whose <c>time</c> its <c>SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ")</c> parses (milliseconds, an
/// offset without a colon) and whose <c>lat</c> and <c>long</c> its <c>BigDecimal</c> parses.
/// </summary>
internal static class OriginalPositionMessage
{
    public static Dictionary<string, string> Entries(PositionReported report) => new(StringComparer.Ordinal)
    {
        ["vehicle"] = report.Vehicle,
        ["lat"] = report.Latitude.ToString("R", CultureInfo.InvariantCulture),
        ["long"] = report.Longitude.ToString("R", CultureInfo.InvariantCulture),

        // In UTC, as the original in its UTC container: "+0000".
        ["time"] = report.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000",
    };
}
