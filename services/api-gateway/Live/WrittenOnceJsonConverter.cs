using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;

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
    /// <para>
    /// With <paramref name="shared"/>, a frame of positions given to it (<see cref="SharedFrames.Share"/>) is written
    /// once as a whole too: the frame every connection that is in step gets at a push interval.
    /// </para>
    public static void WriteOnce(JsonSerializerOptions payload, SharedFrames? shared = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        payload.TypeInfoResolverChain.Insert(0, ApiGatewayJsonContext.Default);
        var protocol = new JsonSerializerOptions(payload);
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = ApiGatewayJsonContext.Default };
        payload.Converters.Add(new WrittenOnceJsonConverter<LivePosition>(TypeInfo<LivePosition>(web)));
        payload.Converters.Add(new WrittenOnceJsonConverter<FleetEventResponse>(TypeInfo<FleetEventResponse>(protocol)));
        if (shared is not null)
        {
            // A frame's array as the options above write it, each position written once.
            payload.Converters.Add(new SharedFrameJsonConverter(shared, TypeInfo<LivePosition[]>(new JsonSerializerOptions(payload))));
        }
    }

    private static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}

/// <summary>
/// The frames of positions that go to many connections as the same array (<see cref="LiveUpdates"/>): each is written
/// once, at its first connection, and its bytes are copied for the others. Any other array of positions (a snapshot,
/// a connection's own frame) is written as usual.
/// </summary>
public sealed class SharedFrames
{
    private readonly ConditionalWeakTable<LivePosition[], Written> _frames = [];

    /// <summary>From now on <paramref name="frame"/> is written once for every connection it goes to.</summary>
    public void Share(LivePosition[] frame) => _frames.AddOrUpdate(frame, new Written());

    internal bool TryGet(LivePosition[] frame, [NotNullWhen(true)] out Written? written) => _frames.TryGetValue(frame, out written);

    internal sealed class Written
    {
        public byte[]? Json;
    }
}

/// <summary>Writes a shared frame's JSON once (<see cref="SharedFrames"/>); any other array of positions as <paramref name="shape"/> does.</summary>
internal sealed class SharedFrameJsonConverter(SharedFrames shared, JsonTypeInfo<LivePosition[]> shape) : JsonConverter<LivePosition[]>
{
    public override LivePosition[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(ref reader, shape);

    public override void Write(Utf8JsonWriter writer, LivePosition[] value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (!shared.TryGet(value, out var written))
        {
            JsonSerializer.Serialize(writer, value, shape);
            return;
        }

        // Two connections may write it first at once: both write the same bytes, one copy stays.
        var json = Volatile.Read(ref written.Json);
        if (json is null)
        {
            json = JsonSerializer.SerializeToUtf8Bytes(value, shape);
            Volatile.Write(ref written.Json, json);
        }

        writer.WriteRawValue(json, skipInputValidation: true);
    }
}
