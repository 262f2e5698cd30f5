namespace Fleetman.Messaging;

/// <summary>
/// JMS map messages as ActiveMQ's <c>jms-map-json</c> STOMP transformation writes and reads them, so Java services
/// that send or receive a <c>MapMessage</c> (the original Fleetman's) share a queue with ours:
/// <c>{"map":{"entry":[{"string":["vehicle","City Truck"]},{"string":["lat","53.38"]}]}}</c>. An entry with a string
/// value is a two-element array; any other value sits beside its key (<c>{"string":"size","long":2}</c>); a map of one
/// entry may have an object instead of the array.
/// </summary>
/// <remarks>
/// Subscribed with the transformation, the broker renders a MapMessage in this shape and hands text and bytes messages
/// over unchanged; a SEND carrying the transformation (and no <c>content-length</c>, or the broker keeps the bytes as
/// they are) is stored as a MapMessage of the entries.
/// </remarks>
internal static class JmsMapJson
{
    public const string TransformationHeader = "transformation";
    public const string Transformation = "jms-map-json";

    /// <summary>True when the body is in the transformation's map shape (the broker writes it compact, key first).</summary>
    public static bool IsMap(ReadOnlySpan<byte> body) => body.StartsWith("{\"map\":"u8);

    /// <summary>The map's entries as one flat JSON object (<c>{"vehicle":"City Truck","lat":"53.38"}</c>), for the serializer.</summary>
    /// <exception cref="JsonException">The body is not a map in the transformation's shape.</exception>
    public static byte[] ToJsonObject(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body);
        if (!document.RootElement.TryGetProperty("map", out var map))
        {
            throw new JsonException("the map has no \"map\" element");
        }

        using var output = new MemoryStream(body.Length);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();

            // An empty map is rendered as "" by the transformation: no entries.
            if (map.ValueKind == JsonValueKind.Object && map.TryGetProperty("entry", out var entries))
            {
                foreach (var entry in entries.ValueKind == JsonValueKind.Array ? entries.EnumerateArray() : Enumerable.Repeat(entries, 1))
                {
                    WriteEntry(writer, entry);
                }
            }
            else if (map.ValueKind is not (JsonValueKind.Object or JsonValueKind.String))
            {
                throw new JsonException($"the \"map\" element is a {map.ValueKind}, not an object");
            }

            writer.WriteEndObject();
        }

        return output.ToArray();
    }

    private static void WriteEntry(Utf8JsonWriter writer, JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("string", out var key))
        {
            throw new JsonException($"a map entry has no \"string\" key: {entry.GetRawText()}");
        }

        if (key.ValueKind == JsonValueKind.Array && key.GetArrayLength() == 2 && key[0].ValueKind == JsonValueKind.String)
        {
            writer.WritePropertyName(key[0].GetString()!);
            key[1].WriteTo(writer);
            return;
        }

        if (key.ValueKind != JsonValueKind.String)
        {
            throw new JsonException($"a map entry's key is not a string: {entry.GetRawText()}");
        }

        var value = entry.EnumerateObject().Where(p => p.Name != "string").Select(p => (JsonElement?)p.Value).FirstOrDefault();
        writer.WritePropertyName(key.GetString()!);
        if (value is { } present)
        {
            present.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    /// <summary>
    /// A map of string entries in the transformation's shape. JSON escapes every control character, so the body has
    /// no NUL byte and can travel as a STOMP text body (without <c>content-length</c>).
    /// </summary>
    public static byte[] FromEntries(IEnumerable<KeyValuePair<string, string>> entries)
    {
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("map");
            writer.WriteStartArray("entry");
            foreach (var (key, value) in entries)
            {
                writer.WriteStartObject();
                writer.WriteStartArray("string");
                writer.WriteStringValue(key);
                writer.WriteStringValue(value);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return output.ToArray();
    }
}
