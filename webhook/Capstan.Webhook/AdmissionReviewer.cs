using System.Text.Json;
using Capstan.Core.Ports;
using Capstan.Kubernetes.Conversions;
using Capstan.Kubernetes.Crds;
using Capstan.Kubernetes.Manifests;
using Capstan.Webhook.Admission;
using Capstan.Webhook.Defaulting;
using Capstan.Webhook.Pods;
using Capstan.Webhook.Validation;
using FluentValidation;
using FluentValidation.Results;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Capstan.Webhook;

/// <summary>
/// The admission decisions, free of HTTP: defaulting, validation and pod advice for one well-formed
/// AdmissionReview. Each method returns the reply review (same apiVersion and kind, <c>response.uid</c> echoed).
/// </summary>
public sealed class AdmissionReviewer(
    IValidator<V1Alpha5Provisioner> provisionerValidator,
    IValidator<V1Alpha1AwsNodeTemplate> nodeTemplateValidator,
    ILogger<AdmissionReviewer> logger)
{
    public const string ProviderDeprecation =
        "spec.provider is deprecated: move these fields into an AWSNodeTemplate and reference it with spec.providerRef";

    public const string ProviderDiscovery =
        "spec.provider has no subnetSelector/securityGroupSelector: those tagged kubernetes.io/cluster/<cluster> are used";

    /// <summary>CREATE/UPDATE of a Provisioner gets the v0.26.1 requirement defaults; everything else passes unchanged.</summary>
    public AdmissionReview Mutate(AdmissionReview review)
    {
        var request = review.Request!;
        var uid = request.Uid!;
        if (!IsWrite(request) || !IsProvisioner(request) || request.Object is not { ValueKind: JsonValueKind.Object } obj)
        {
            return Reply(review, AdmissionResponse.Allow(uid));
        }

        var operations = ProvisionerDefaulter.Patch(obj);
        if (operations.Count == 0)
        {
            return Reply(review, AdmissionResponse.Allow(uid));
        }

        var patch = JsonSerializer.SerializeToUtf8Bytes(operations.ToList(), WebhookJsonContext.Default.ListJsonPatchOperation);
        var added = string.Join(",", operations.Select(DefaultedKeys));
        logger.ProvisionerDefaulted(request.Name ?? "", added);
        return Reply(review, new AdmissionResponse
        {
            Uid = uid,
            Allowed = true,
            Patch = patch,
            PatchType = AdmissionResponse.JsonPatchType,
            AuditAnnotations = new Dictionary<string, string> { ["defaulted-requirements"] = added },
        });
    }

    /// <summary>CREATE/UPDATE of a Provisioner or AWSNodeTemplate is validated (the new object); all violations at once.</summary>
    public AdmissionReview Validate(AdmissionReview review)
    {
        var request = review.Request!;
        var uid = request.Uid!;
        if (!IsWrite(request) || request.Object is not { } obj)
        {
            return Reply(review, AdmissionResponse.Allow(uid));
        }

        if (IsProvisioner(request))
        {
            // Limits are judged on the text as sent (the client's quantity reader is not the API server's).
            var quantityFailures = RawQuantities.ProvisionerLimits(obj);
            if (!TryDecode<V1Alpha5Provisioner>(obj, out var provisioner, out var error))
            {
                return quantityFailures.Count > 0
                    ? Decide(review, V1Alpha5Provisioner.KindName, request.Name, new ValidationResult(quantityFailures), [])
                    : Deny(review, V1Alpha5Provisioner.KindName, request.Name, 400, "BadRequest", $"the object does not decode: {error}");
            }

            var warnings = new List<string>(UnknownFields.Find(obj, FieldSchema.For<V1Alpha5Provisioner>()));
            if (provisioner.Spec?.Provider is not null)
            {
                warnings.Add(ProviderDeprecation);
                if (!HasSelectors(obj))
                {
                    warnings.Add(ProviderDiscovery);
                }
            }

            var result = provisionerValidator.Validate(provisioner);
            if (quantityFailures.Count > 0)
            {
                // The decoded text of a refused limit may read differently; report each limit once, as sent.
                var paths = quantityFailures.Select(f => f.PropertyName).ToHashSet(StringComparer.Ordinal);
                result = new ValidationResult([.. quantityFailures, .. result.Errors.Where(f => !paths.Contains(f.PropertyName.TrimStart('.')))]);
            }

            return Decide(review, V1Alpha5Provisioner.KindName, provisioner.Metadata?.Name ?? request.Name, result, warnings);
        }

        if (request.Kind!.Is(V1Alpha1AwsNodeTemplate.Group, V1Alpha1AwsNodeTemplate.KindName))
        {
            if (!TryDecode<V1Alpha1AwsNodeTemplate>(obj, out var template, out var error))
            {
                return Deny(review, V1Alpha1AwsNodeTemplate.KindName, request.Name, 400, "BadRequest", $"the object does not decode: {error}");
            }

            return Decide(review, V1Alpha1AwsNodeTemplate.KindName, template.Metadata?.Name ?? request.Name, nodeTemplateValidator.Validate(template),
                [.. UnknownFields.Find(obj, FieldSchema.For<V1Alpha1AwsNodeTemplate>())]);
        }

        return Reply(review, AdmissionResponse.Allow(uid));
    }

    /// <summary>
    /// Pods and workload templates: always allowed; warns when no Provisioner (and no existing node) could host the pod.
    /// </summary>
    public AdmissionReview AdvisePod(AdmissionReview review, IClusterState? cluster)
    {
        var request = review.Request!;
        var uid = request.Uid!;
        if (cluster is null || !IsWrite(request) || request.Object is not { ValueKind: JsonValueKind.Object } obj
            || PodTemplates.Find(request.Kind!, obj) is not { } template)
        {
            return Reply(review, AdmissionResponse.Allow(uid));
        }

        if (!TryDecode<V1PodTemplateSpec>(template, out var pod, out _) || pod.Spec is null || !string.IsNullOrEmpty(pod.Spec.NodeName))
        {
            return Reply(review, AdmissionResponse.Allow(uid));
        }

        IReadOnlyList<string> warnings;
        try
        {
            var metadata = pod.Metadata ?? new V1ObjectMeta();
            metadata.NamespaceProperty ??= request.Namespace;
            metadata.Name ??= request.Name;
            warnings = PodFitAdvisor.Warnings(PodConversions.ToPodRequest(metadata, pod.Spec), cluster.Provisioners(), cluster.Nodes());
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            warnings = [$"{PodFitAdvisor.Prefix}could not read this pod's scheduling constraints: {e.Message}"];
        }

        if (warnings.Count > 0)
        {
            logger.PodUnsatisfiable(request.Kind!.Kind ?? "", request.Namespace ?? "", request.Name ?? "", warnings[0]);
        }

        return Reply(review, AdmissionResponse.Allow(uid, warnings));
    }

    /// <summary>The reply envelope: the request's apiVersion and kind, with the response.</summary>
    public static AdmissionReview Reply(AdmissionReview review, AdmissionResponse response)
    {
        ArgumentNullException.ThrowIfNull(review);
        return new AdmissionReview { ApiVersion = review.ApiVersion, Kind = review.Kind, Response = response };
    }

    /// <summary>Formats every violation into one message a user can act on.</summary>
    public static string Message(string kind, string? name, IEnumerable<ValidationFailure> failures)
    {
        var lines = failures.Select(f => string.IsNullOrEmpty(f.PropertyName) ? f.ErrorMessage : $"{f.PropertyName.TrimStart('.')}: {f.ErrorMessage}").ToList();
        var noun = lines.Count == 1 ? "problem" : "problems";
        return $"{kind} \"{name}\" is invalid ({lines.Count} {noun}): {string.Join("; ", lines)}";
    }

    private AdmissionReview Decide(AdmissionReview review, string kind, string? name, ValidationResult result, List<string> warnings)
    {
        if (result.IsValid)
        {
            logger.AdmissionAllowed(kind, name ?? "");
            return Reply(review, AdmissionResponse.Allow(review.Request!.Uid!, warnings));
        }

        var message = Message(kind, name, result.Errors);
        logger.AdmissionDenied(kind, name ?? "", result.Errors.Count, message);
        return Reply(review, AdmissionResponse.Deny(review.Request!.Uid!, 422, "Invalid", message, warnings));
    }

    private AdmissionReview Deny(AdmissionReview review, string kind, string? name, int code, string reason, string message)
    {
        logger.AdmissionDenied(kind, name ?? "", 1, message);
        return Reply(review, AdmissionResponse.Deny(review.Request!.Uid!, code, reason, $"{kind} \"{name}\" is invalid: {message}"));
    }

    /// <summary>What could not be decoded, in words: the field's path when the serializer knows it, never its exception text.</summary>
    private static string Describe(Exception e) =>
        e is JsonException { Path: { Length: > 2 } path }
            ? $"{path.TrimStart('$').TrimStart('.')}: the value is not of the type this field takes"
            : "a field holds a value of the wrong type or form";

    private static bool TryDecode<T>(JsonElement element, out T value, out string error)
    {
        try
        {
            value = KubernetesJson.Deserialize<T>(element.GetRawText());
            error = "";
            return value is not null;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or OverflowException)
        {
            value = default!;
            error = Describe(e);
            return false;
        }
    }

    private static bool HasSelectors(JsonElement obj) =>
        obj.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
        && spec.TryGetProperty("provider", out var provider) && provider.ValueKind == JsonValueKind.Object
        && provider.TryGetProperty("subnetSelector", out _) && provider.TryGetProperty("securityGroupSelector", out _);

    private static bool IsWrite(AdmissionRequest request) => request.Operation is AdmissionRequest.Create or AdmissionRequest.Update;

    private static bool IsProvisioner(AdmissionRequest request) => request.Kind!.Is(V1Alpha5Provisioner.Group, V1Alpha5Provisioner.KindName);

    private static string DefaultedKeys(JsonPatchOperation operation) => operation.Value switch
    {
        System.Text.Json.Nodes.JsonObject o when o["key"] is { } key => key.GetValue<string>(),
        System.Text.Json.Nodes.JsonObject o when o["requirements"] is System.Text.Json.Nodes.JsonArray a => string.Join(",", a.Select(r => r!["key"]!.GetValue<string>())),
        System.Text.Json.Nodes.JsonArray a => string.Join(",", a.Select(r => r!["key"]!.GetValue<string>())),
        _ => operation.Path,
    };
}
