using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleetman.ApiGateway.Live;

/// <summary>
/// Writes each <see cref="LivePosition"/>'s JSON once, however many connections it goes to. One update reaches every
/// connection of the replica as the same instances, and formatting numbers and times is most of the cost of a frame:
/// with 500 browsers a position was otherwise formatted 500 times. The bytes are what the hub's JSON protocol wrote
/// before (camelCase, ISO-8601 UTC times), kept beside the instance for as long as it lives.
/// </summary>
public sealed class LivePositionJsonConverter : JsonConverter<LivePosition>
{
    private static readonly JsonSerializerOptions Shape = new(JsonSerializerDefaults.Web);
    private static readonly ConditionalWeakTable<LivePosition, byte[]> Written = [];

    public override LivePosition? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<LivePosition>(ref reader, Shape);

    public override void Write(Utf8JsonWriter writer, LivePosition value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteRawValue(Written.GetValue(value, static position => JsonSerializer.SerializeToUtf8Bytes(position, Shape)), skipInputValidation: true);
    }
}
