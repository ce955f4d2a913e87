using System.Text.Json.Serialization;

namespace Capstan.Webhook.Admission;

/// <summary>
/// <c>admission.k8s.io/v1</c> AdmissionReview. The API server sends <see cref="Request"/>;
/// the webhook answers with <see cref="Response"/> and the same apiVersion and kind.
/// </summary>
public sealed record AdmissionReview
{
    public const string KindName = "AdmissionReview";
    public const string V1 = "admission.k8s.io/v1";
    public const string V1Beta1 = "admission.k8s.io/v1beta1";

    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; }

    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    [JsonPropertyName("request")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdmissionRequest? Request { get; init; }

    [JsonPropertyName("response")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdmissionResponse? Response { get; init; }
}
