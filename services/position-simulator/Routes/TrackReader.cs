using System.Xml;

namespace Fleetman.PositionSimulator.Routes;

/// <summary>A recorded track: the vehicle that drives it and its points in order.</summary>
public sealed record Track(string Name, string FileName, IReadOnlyList<GeoPoint> Points);

/// <summary>
/// Reads tracks from a folder: GPX files (<c>*.gpx</c>: every <c>trkpt</c> and <c>rtept</c>) and the original Fleetman
/// format (one <c>lat="…" lon="…"</c> line per point, LF or CRLF). A file's name, without its extension, names the
/// vehicle the way the original did: underscores become spaces and each word is capitalised (<c>city_truck</c> →
/// <c>City Truck</c>). Files without points (a README, checksums) are skipped with one log line each.
/// </summary>
public static partial class TrackReader
{
    public static IReadOnlyList<Track> ReadFolder(string folder, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The tracks folder '{folder}' does not exist.");
        }

        var tracks = new List<Track>();
        foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            var track = ReadFile(file, out var problem);
            if (track is null)
            {
                var fileName = Path.GetFileName(file);
                LogSkipped(logger, fileName, problem);
            }
            else
            {
                if (problem is not null)
                {
                    LogPartlyRead(logger, track.FileName, problem);
                }

                tracks.Add(track);
            }
        }

        return tracks;
    }

    /// <summary>One file as a track, or null (with the reason) when it holds no points.</summary>
    /// <param name="problem">Why the file is not a track, or what was ignored in a track; null when all is well.</param>
    public static Track? ReadFile(string path, out string? problem)
    {
        var fileName = Path.GetFileName(path);
        var isGpx = fileName.EndsWith(".gpx", StringComparison.OrdinalIgnoreCase);
        List<GeoPoint> points;
        try
        {
            (points, problem) = isGpx ? ReadGpx(path) : ReadFleetman(path);
        }
        catch (XmlException e)
        {
            problem = $"not valid GPX: {e.Message}";
            return null;
        }

        if (points.Count == 0)
        {
            problem ??= isGpx ? "no trkpt or rtept points" : "no lat=\"…\" lon=\"…\" lines";
            return null;
        }

        // The original's files have no extension: the whole file name is the vehicle's.
        return new Track(VehicleName(isGpx ? Path.GetFileNameWithoutExtension(fileName) : fileName), fileName, points);
    }

    /// <summary>The original Fleetman's display name: <c>_</c> → space, then every word capitalised and the rest lower case.</summary>
    public static string VehicleName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = new StringBuilder(fileName.Length);
        var startOfWord = true;
        foreach (var c in fileName.Replace('_', ' '))
        {
            name.Append(startOfWord ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            startOfWord = char.IsWhiteSpace(c);
        }

        return name.ToString();
    }

    private static (List<GeoPoint> Points, string? Problem) ReadFleetman(string path)
    {
        var points = new List<GeoPoint>();
        var ignored = 0;
        var firstIgnored = 0;
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (TryParsePointLine(line, out var point))
            {
                points.Add(point);
            }
            else if (!string.IsNullOrWhiteSpace(line))
            {
                ignored++;
                firstIgnored = firstIgnored == 0 ? number : firstIgnored;
            }
        }

        return (points, ignored == 0 ? null : $"{ignored} line(s) that are not lat=\"…\" lon=\"…\" points ignored, the first is line {firstIgnored}");
    }

    /// <summary>A whole line <c>lat="53.37" lon="-1.46"</c> (surrounding white space, including a CR, allowed).</summary>
    internal static bool TryParsePointLine(ReadOnlySpan<char> line, out GeoPoint point)
    {
        point = default;
        var rest = line.Trim();
        if (!TryTakeAttribute(ref rest, "lat", out var latitude))
        {
            return false;
        }

        rest = rest.TrimStart();
        if (!TryTakeAttribute(ref rest, "lon", out var longitude) || !rest.IsWhiteSpace() || !IsValid(latitude, longitude))
        {
            return false;
        }

        point = new GeoPoint(latitude, longitude);
        return true;
    }

    private static bool TryTakeAttribute(ref ReadOnlySpan<char> text, string name, out double value)
    {
        value = 0;
        if (!text.StartsWith(name, StringComparison.Ordinal) || !text[name.Length..].StartsWith("=\"", StringComparison.Ordinal))
        {
            return false;
        }

        var quoted = text[(name.Length + 2)..];
        var end = quoted.IndexOf('"');
        if (end < 0 || !double.TryParse(quoted[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        text = quoted[(end + 1)..];
        return true;
    }

    private static (List<GeoPoint> Points, string? Problem) ReadGpx(string path)
    {
        var points = new List<GeoPoint>();
        var invalid = 0;
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true };
        using var reader = XmlReader.Create(path, settings);
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName is not ("trkpt" or "rtept"))
            {
                continue;
            }

            if (double.TryParse(reader.GetAttribute("lat"), NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude)
                && double.TryParse(reader.GetAttribute("lon"), NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude)
                && IsValid(latitude, longitude))
            {
                points.Add(new GeoPoint(latitude, longitude));
            }
            else
            {
                invalid++;
            }
        }

        return (points, invalid == 0 ? null : $"{invalid} point(s) without a valid lat and lon ignored");
    }

    private static bool IsValid(double latitude, double longitude) =>
        latitude is >= -90 and <= 90 && longitude is >= -180 and <= 180;

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipped {File}: not a track ({Reason})")]
    private static partial void LogSkipped(ILogger logger, string file, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Track {File}: {Problem}")]
    private static partial void LogPartlyRead(ILogger logger, string file, string problem);
}
