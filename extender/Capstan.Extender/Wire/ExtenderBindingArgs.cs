using System.Text.Json.Serialization;

namespace Capstan.Extender.Wire;

/// <summary>Request of bind (<c>ExtenderBindingArgs</c>).</summary>
public sealed record ExtenderBindingArgs
{
    [JsonPropertyName("PodName")]
    public string? PodName { get; init; }

    [JsonPropertyName("PodNamespace")]
    public string? PodNamespace { get; init; }

    [JsonPropertyName("PodUID")]
    public string? PodUid { get; init; }

    [JsonPropertyName("Node")]
    public string? Node { get; init; }
}
