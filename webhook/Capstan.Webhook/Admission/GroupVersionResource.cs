using System.Text.Json.Serialization;

namespace Capstan.Webhook.Admission;

/// <summary><c>metav1.GroupVersionResource</c>.</summary>
public sealed record GroupVersionResource
{
    [JsonPropertyName("group")]
    public string? Group { get; init; }

    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonPropertyName("resource")]
    public string? Resource { get; init; }
}
