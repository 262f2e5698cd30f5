namespace Fleetman.Contracts;

/// <summary>
/// Reads ISO-8601 times, and also the original Fleetman's <c>yyyy-MM-dd'T'HH:mm:ss.SSSZ</c> (offset without a colon,
/// e.g. <c>+0000</c>), so messages from the Java simulator are accepted. Writes ISO-8601 in UTC.
/// </summary>
public sealed class ReportTimeConverter : JsonConverter<DateTimeOffset>
{
    private static readonly string[] OriginalFormats = ["yyyy-MM-dd'T'HH:mm:ss.fffzzz", "yyyy-MM-dd'T'HH:mm:ss.fffK", "yyyy-MM-dd'T'HH:mm:sszzz"];

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TryGetDateTimeOffset(out var iso))
        {
            return iso;
        }

        var text = reader.GetString() ?? throw new JsonException("time is null.");
        // "+0000" → "+00:00", the form .NET's zzz understands.
        if (text.Length > 5 && text[^5] is '+' or '-' && text[^4..].All(char.IsAsciiDigit))
        {
            text = string.Concat(text.AsSpan(0, text.Length - 2), ":", text.AsSpan(text.Length - 2));
        }

        return DateTimeOffset.TryParseExact(text, OriginalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var original)
            ? original
            : throw new JsonException($"time '{reader.GetString()}' is not an ISO-8601 date-time.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToUniversalTime());
}
