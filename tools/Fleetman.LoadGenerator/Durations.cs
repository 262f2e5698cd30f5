using System.Globalization;
using System.Text.RegularExpressions;

namespace Fleetman.LoadGenerator;

/// <summary>Durations as people type them on a command line: <c>30s</c>, <c>10m</c>, <c>1h30m</c>, <c>250ms</c>; a bare number is seconds.</summary>
internal static partial class Durations
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (!double.IsFinite(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                return false;
            }

            duration = TimeSpan.FromSeconds(seconds);
            return true;
        }

        var parts = Part().Matches(text);
        if (parts.Count == 0 || parts.Sum(p => p.Length) != text.Length)
        {
            return false;
        }

        double milliseconds = 0;
        foreach (Match part in parts)
        {
            var value = double.Parse(part.Groups["value"].Value, CultureInfo.InvariantCulture);
            milliseconds += part.Groups["unit"].Value switch
            {
                "ms" => value,
                "s" => value * 1_000,
                "m" => value * 60_000,
                _ => value * 3_600_000,
            };
        }

        if (milliseconds > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    /// <summary><c>45s</c>, <c>2m 05s</c>, <c>1h 00m 00s</c>, <c>250ms</c> below a second.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1) && duration != TimeSpan.Zero)
        {
            return $"{duration.TotalMilliseconds:0}ms";
        }

        var seconds = (long)Math.Round(duration.TotalSeconds);
        return seconds switch
        {
            < 60 => $"{seconds}s",
            < 3600 => $"{seconds / 60}m {seconds % 60:00}s",
            _ => $"{seconds / 3600}h {seconds / 60 % 60:00}m {seconds % 60:00}s",
        };
    }

    [GeneratedRegex(@"(?<value>\d+(?:\.\d+)?)(?<unit>ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
