namespace Fleetman.ServiceDefaults.Tests;

/// <summary>A thread-safe in-memory stand-in for stdout.</summary>
internal sealed class LogCapture : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_lock)
        {
            _text.Append(value);
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return _text.ToString();
        }
    }

    /// <summary>Every line written so far, each parsed as JSON: fails unless every line is exactly one JSON object.</summary>
    public List<JsonElement> Lines() => ParseLines(ToString());

    public static List<JsonElement> ParseLines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        text.ShouldEndWith("\n");
        return [.. text.TrimEnd('\n').Split('\n').Select(ParseObject)];
    }

    private static JsonElement ParseObject(string line)
    {
        using var document = JsonDocument.Parse(line);
        document.RootElement.ValueKind.ShouldBe(JsonValueKind.Object, line);
        return document.RootElement.Clone();
    }
}
