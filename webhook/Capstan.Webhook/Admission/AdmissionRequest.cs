using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Capstan.Webhook.Admission;

/// <summary>The <c>request</c> of an AdmissionReview (admission.k8s.io/v1); keys Capstan does not use are ignored.</summary>
public sealed record AdmissionRequest
{
    public const string Create = "CREATE";
    public const string Update = "UPDATE";
    public const string Delete = "DELETE";
    public const string Connect = "CONNECT";

    [JsonPropertyName("uid")]
    public string? Uid { get; init; }

    [JsonPropertyName("kind")]
    public GroupVersionKind? Kind { get; init; }

    [JsonPropertyName("resource")]
    public GroupVersionResource? Resource { get; init; }

    [JsonPropertyName("subResource")]
    public string? SubResource { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }

    [JsonPropertyName("operation")]
    public string? Operation { get; init; }

    /// <summary>The new object (null for DELETE), exactly as sent: patches apply to this.</summary>
    [JsonPropertyName("object")]
    [SuppressMessage("Naming", "CA1720", Justification = "The wire name is \"object\" (admission.k8s.io/v1).")]
    public JsonElement? Object { get; init; }

    [JsonPropertyName("oldObject")]
    public JsonElement? OldObject { get; init; }

    [JsonPropertyName("dryRun")]
    public bool? DryRun { get; init; }
}
