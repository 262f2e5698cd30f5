using System.Text.Json;

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
    };

    /// <summary>The message-type header: the contract's name, e.g. <c>PositionReported</c>.</summary>
    public static string TypeName<TMessage>() => typeof(TMessage).Name;

    public static byte[] Serialize<TMessage>(TMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, Options);

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
            message = JsonSerializer.Deserialize<TMessage>(isMap ? JmsMapJson.ToJsonObject(body) : body.Span, Options);
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
}
