using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>
/// Reads a JSON number whatever made the node: parsed text (a JSON element) or a value written in code (an int, a
/// long), which <c>System.Text.Json</c> will not convert into one another by a cast.
/// </summary>
public static class JsonNumbers
{
    public static long? Whole(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (value.TryGetValue<int>(out var i))
        {
            return i;
        }

        if (value.TryGetValue<double>(out var d))
        {
            return (long)d;
        }

        return value.TryGetValue<string>(out var s) && long.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }

    public static int? Count(JsonNode? node) => Whole(node) is { } l ? (int)Math.Clamp(l, int.MinValue, int.MaxValue) : null;
}
