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

    /// <summary>The UTF-8 JSON of a node item, as it was read (no copy).</summary>
    internal static ReadOnlySpan<byte> RawUtf8Of(JsonElement node) => System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(node);

    /// <summary><c>metadata.name</c> of a node item, or null when it has none.</summary>
    public static string? NameOf(JsonElement node) => NodeObjectReader.Read(RawUtf8Of(node), out _);
}
