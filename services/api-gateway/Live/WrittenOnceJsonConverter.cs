using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using Fleetman.Contracts.Api;

namespace Fleetman.ApiGateway.Live;

/// <summary>
/// Writes each instance's JSON once, however many connections it goes to. One update (or one announcement of fleet
/// events) reaches every connection of the replica as the same instances, and formatting numbers and times is most of
/// the cost of a hub message: with 500 browsers an instance was otherwise formatted 500 times. The bytes are those
/// <paramref name="shape"/> writes, kept beside the instance for as long as it lives.
/// </summary>
/// <typeparam name="T">A record the hub sends many times unchanged.</typeparam>
/// <param name="shape">The metadata (and with it the options) the instance's JSON is written and read with.</param>
public sealed class WrittenOnceJsonConverter<T>(JsonTypeInfo<T> shape) : JsonConverter<T>
    where T : class
{
    private readonly ConditionalWeakTable<T, byte[]> _written = [];

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<T>(ref reader, shape);

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteRawValue(_written.GetValue(value, instance => JsonSerializer.SerializeToUtf8Bytes(instance, shape)), skipInputValidation: true);
    }
}

/// <summary>The hub's payload JSON.</summary>
public static class HubPayloadJson
{
    /// <summary>
    /// Makes <paramref name="payload"/> (the JSON protocol's options) write each position of an update and each event of
    /// an announcement once for all connections, in the shape each had on the wire before: a position as the web
    /// defaults write it (<c>{"name":…,"lat":…,"lng":…,"time":…,"speed":…,"heading":…}</c>), an event as the protocol's
    /// own options do. Every payload's metadata is the one generated at build time (<see cref="ApiGatewayJsonContext"/>),
    /// first in the chain: a trimmed build has no reflection to fall back on.
    /// </summary>
    public static void WriteOnce(JsonSerializerOptions payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        payload.TypeInfoResolverChain.Insert(0, ApiGatewayJsonContext.Default);
        var protocol = new JsonSerializerOptions(payload);
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = ApiGatewayJsonContext.Default };
        payload.Converters.Add(new WrittenOnceJsonConverter<LivePosition>(TypeInfo<LivePosition>(web)));
        payload.Converters.Add(new WrittenOnceJsonConverter<FleetEventResponse>(TypeInfo<FleetEventResponse>(protocol)));
    }

    private static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}
