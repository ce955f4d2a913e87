using System.Text.Json;
using System.Text.Json.Serialization;

namespace Capstan.Extender.Wire;

/// <summary>
/// A <c>v1.NodeList</c> as the scheduler sends it with <c>nodeCacheCapable: false</c>:
/// <c>{"metadata":{},"items":[...]}</c>. Items stay raw JSON so that the filter answer returns the very
/// node objects it received, unmodified (kube-scheduler's extender protocol), including fields this client does not model.
/// </summary>
public sealed record NodeList
{
    private static readonly JsonElement s_emptyMetadata = JsonDocument.Parse("{}").RootElement;

    [JsonPropertyName("metadata")]
    public JsonElement Metadata { get; init; } = s_emptyMetadata;

    [JsonPropertyName("items")]
    public IReadOnlyList<JsonElement>? Items { get; init; }

    /// <summary><c>metadata.name</c> of a node item, or null when it has none.</summary>
    public static string? NameOf(JsonElement node) =>
        node.ValueKind == JsonValueKind.Object
        && node.TryGetProperty("metadata", out var metadata)
        && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty("name", out var name)
        && name.ValueKind == JsonValueKind.String
            ? name.GetString()
            : null;
}
