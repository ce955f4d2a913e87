using System.Text.Json.Serialization;

namespace Capstan.Webhook.Admission;

/// <summary>The <c>response</c> of an AdmissionReview (admission.k8s.io/v1). Keys are case-sensitive on the API server side.</summary>
public sealed record AdmissionResponse
{
    public const string JsonPatchType = "JSONPatch";

    [JsonPropertyName("uid")]
    public required string Uid { get; init; }

    [JsonPropertyName("allowed")]
    public required bool Allowed { get; init; }

    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdmissionStatus? Status { get; init; }

    /// <summary>The UTF-8 JSON Patch; serialised as standard base64 with padding, as Go's <c>[]byte</c> expects.</summary>
    [JsonPropertyName("patch")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public byte[]? Patch { get; init; }

    [JsonPropertyName("patchType")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PatchType { get; init; }

    [JsonPropertyName("auditAnnotations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? AuditAnnotations { get; init; }

    [JsonPropertyName("warnings")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Warnings { get; init; }

    public static AdmissionResponse Allow(string uid, IReadOnlyList<string>? warnings = null) =>
        new() { Uid = uid, Allowed = true, Warnings = warnings is { Count: > 0 } ? warnings : null };

    public static AdmissionResponse Deny(string uid, int code, string reason, string message, IReadOnlyList<string>? warnings = null) =>
        new()
        {
            Uid = uid,
            Allowed = false,
            Status = new AdmissionStatus { Code = code, Reason = reason, Message = message, Status = "Failure" },
            Warnings = warnings is { Count: > 0 } ? warnings : null,
        };
}
