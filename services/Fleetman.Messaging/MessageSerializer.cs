using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;

namespace Fleetman.Messaging;

/// <summary>
/// JSON bodies with web conventions: camelCase, case-insensitive reading, numbers also read from strings, unknown
/// fields ignored. Strict where it matters: a missing constructor parameter or a null where the contract says
/// non-null makes the body malformed (dead-lettered), instead of a half-filled message reaching a handler.
/// A JMS map message (<see cref="JmsMapJson"/>) is read as the JSON object of its entries, with the same rules: a Java
/// service's <c>MapMessage</c> of strings becomes the contract message whose fields have those names.
/// </summary>
internal static class MessageSerializer
{
    public const string ContentType = "application/json;charset=utf-8";

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        TypeInfoResolver = Resolver(),
    };

    /// <summary>The message-type header: the contract's name, e.g. <c>PositionReported</c>.</summary>
    public static string TypeName<TMessage>() => typeof(TMessage).Name;

    public static byte[] Serialize<TMessage>(TMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, TypeInfo<TMessage>());

    /// <summary>Reads a body, or explains in one sentence why it cannot be read.</summary>
    public static bool TryDeserialize<TMessage>(ReadOnlyMemory<byte> body, out TMessage? message, out string? error)
    {
        message = default;
        if (body.IsEmpty)
        {
            error = "the message body is empty";
            return false;
        }

        var isMap = JmsMapJson.IsMap(body.Span);
        try
        {
            message = JsonSerializer.Deserialize(isMap ? JmsMapJson.ToJsonObject(body) : body.Span, TypeInfo<TMessage>());
        }
        catch (JsonException ex)
        {
            error = $"the {(isMap ? "map message" : "body")} is not a valid {typeof(TMessage).Name}: {ex.Message}";
            return false;
        }

        if (message is null)
        {
            error = "the message body is JSON null";
            return false;
        }

        error = null;
        return true;
    }

    private static JsonTypeInfo<TMessage> TypeInfo<TMessage>() => (JsonTypeInfo<TMessage>)Options.GetTypeInfo(typeof(TMessage));

    // The contracts' metadata is generated at build time, so a trimmed or ahead-of-time compiled service reads and
    // writes them without reflection. Where reflection is on (every build but those), a message type that is not a
    // contract (a test's own) is read and written by reflection after them. A trimmed or AOT build turns reflection
    // off (JsonSerializerIsReflectionEnabledByDefault=false, a feature switch), and the trimmer then removes the branch
    // that would reflect: what the suppressions below rest on.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only reached while reflection-based serialization is enabled; trimmed builds disable it and drop the branch.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Only reached while reflection-based serialization is enabled; AOT builds disable it and drop the branch.")]
    private static IJsonTypeInfoResolver Resolver()
    {
        if (JsonSerializer.IsReflectionEnabledByDefault)
        {
            return JsonTypeInfoResolver.Combine(MessageJsonContext.Default, new DefaultJsonTypeInfoResolver());
        }

        return MessageJsonContext.Default;
    }
}

/// <summary>Every message type the topology routes (<see cref="MessageTopology"/>).</summary>
[JsonSerializable(typeof(PositionReported))]
[JsonSerializable(typeof(VehiclePositionsUpdated))]
[JsonSerializable(typeof(VehiclesRetired))]
[JsonSerializable(typeof(VehiclesRemoved))]
[JsonSerializable(typeof(FleetEventsOccurred))]
internal sealed partial class MessageJsonContext : JsonSerializerContext;
