using System.Text.Json.Serialization;
using Capstan.Webhook.Admission;

namespace Capstan.Webhook;

/// <summary>Source-generated JSON for the AdmissionReview envelope and patches; names come from the DTO attributes.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdmissionReview))]
[JsonSerializable(typeof(List<JsonPatchOperation>))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
