using System.Text.Json.Serialization;

namespace Capstan.Webhook.Admission;

/// <summary><c>metav1.GroupVersionKind</c>; the core group is the empty string.</summary>
public sealed record GroupVersionKind
{
    [JsonPropertyName("group")]
    public string? Group { get; init; }

    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    public bool Is(string group, string kind) =>
        string.Equals(Group ?? "", group, StringComparison.Ordinal) && string.Equals(Kind, kind, StringComparison.Ordinal);

    public override string ToString() => string.IsNullOrEmpty(Group) ? $"{Version}/{Kind}" : $"{Group}/{Version}/{Kind}";
}
