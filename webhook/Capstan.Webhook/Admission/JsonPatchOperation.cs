using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Capstan.Webhook.Admission;

/// <summary>One RFC 6902 operation.</summary>
public sealed record JsonPatchOperation
{
    [JsonPropertyName("op")]
    public required string Op { get; init; }

    [JsonPropertyName("path")]
    public required string Path { get; init; }

    [JsonPropertyName("value")]
    public JsonNode? Value { get; init; }

    public static JsonPatchOperation Add(string path, JsonNode value) => new() { Op = "add", Path = path, Value = value };

    /// <summary>Escapes one reference token of a JSON Pointer (RFC 6901): <c>~</c> to <c>~0</c>, <c>/</c> to <c>~1</c>.</summary>
    public static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
