using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>One registered webhook: its name, path, the kinds and operations it reviews, and its failure policy.</summary>
public sealed record WebhookRegistration(string Name, string Path, bool Mutating, IReadOnlyList<ApiResource> Resources, IReadOnlyList<string> Operations, bool FailOpen);

/// <summary>
/// Admission through webhooks over HTTPS, as the API server calls them: an <c>admission.k8s.io/v1</c>
/// AdmissionReview per matching webhook, mutating ones first (their JSONPatch applied in turn), then validating
/// ones; a denial becomes the server's error (<c>admission webhook "..." denied the request: ...</c>), warnings are
/// passed on, and a webhook that cannot be reached fails the write unless its policy is Ignore.
/// </summary>
public sealed class WebhookAdmission : IAdmission
{
    private readonly HttpClient _client;
    private readonly IReadOnlyList<WebhookRegistration> _webhooks;

    /// <param name="client">A client whose base address is the webhook server's and that trusts its certificate.</param>
    /// <param name="webhooks">The registrations, in the order the API server would call them.</param>
    public WebhookAdmission(HttpClient client, IReadOnlyList<WebhookRegistration> webhooks)
    {
        _client = client;
        _webhooks = webhooks;
    }

    /// <summary>Capstan's own registrations, as its manifests declare them.</summary>
    public static IReadOnlyList<WebhookRegistration> Capstan { get; } =
    [
        new("defaulting.provisioners.capstan.dev", "webhook/mutate", true, [ApiResources.Provisioners], ["CREATE", "UPDATE"], false),
        new("validation.provisioners.capstan.dev", "webhook/validate", false, [ApiResources.Provisioners, ApiResources.NodeTemplates], ["CREATE", "UPDATE"], false),
        new("pods.capstan.dev", "webhook/validate/pods", false, [ApiResources.Pods, ApiResources.Deployments, ApiResources.StatefulSets, ApiResources.Jobs], ["CREATE"], true),
    ];

    public async Task<(JsonObject Object, IReadOnlyList<string> Warnings)> AdmitAsync(
        ApiResource resource, string operation, JsonObject obj, JsonObject? old, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(obj);
        var warnings = new List<string>();
        var current = obj;
        foreach (var webhook in _webhooks.Where(w => w.Mutating).Concat(_webhooks.Where(w => !w.Mutating)))
        {
            if (!webhook.Resources.Contains(resource) || !webhook.Operations.Contains(operation))
            {
                continue;
            }

            JsonObject? response;
            try
            {
                response = await ReviewAsync(webhook, resource, operation, current, old, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
            {
                if (webhook.FailOpen)
                {
                    continue;
                }

                throw new ApiException(500, "InternalError", $"Internal error occurred: failed calling webhook \"{webhook.Name}\": the webhook could not be reached");
            }

            foreach (var warning in response?["warnings"] as JsonArray ?? [])
            {
                if ((string?)warning is { Length: > 0 } text)
                {
                    warnings.Add(text);
                }
            }

            if ((bool?)response?["allowed"] != true)
            {
                var message = (string?)response?["status"]?["message"] ?? "denied";
                var code = JsonNumbers.Count(response?["status"]?["code"]) is { } c and >= 400 ? c : 400;
                throw new ApiException(code, code == 403 ? "Forbidden" : "BadRequest", $"admission webhook \"{webhook.Name}\" denied the request: {message}");
            }

            if (webhook.Mutating && (string?)response?["patch"] is { Length: > 0 } patch)
            {
                var operations = Encoding.UTF8.GetString(Convert.FromBase64String(patch));
                current = Patches.ApplyPatch(current, operations, Patches.Json);
            }
        }

        return (current, warnings);
    }

    private async Task<JsonObject?> ReviewAsync(WebhookRegistration webhook, ApiResource resource, string operation, JsonObject obj, JsonObject? old, CancellationToken cancellationToken)
    {
        var uid = Guid.NewGuid().ToString();
        var kind = new JsonObject { ["group"] = resource.Group, ["version"] = resource.Version, ["kind"] = resource.Kind };
        var plural = new JsonObject { ["group"] = resource.Group, ["version"] = resource.Version, ["resource"] = resource.Plural };
        var review = new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = uid,
                ["kind"] = kind.DeepClone(),
                ["resource"] = plural.DeepClone(),
                ["requestKind"] = kind,
                ["requestResource"] = plural,
                ["name"] = ObjectStore.NameOf(obj),
                ["namespace"] = resource.Namespaced ? ObjectStore.NamespaceOf(obj) : null,
                ["operation"] = operation,
                ["userInfo"] = new JsonObject { ["username"] = "sandbox-admin", ["groups"] = new JsonArray("system:masters", "system:authenticated") },
                ["object"] = obj.DeepClone(),
                ["oldObject"] = old?.DeepClone(),
                ["dryRun"] = false,
                ["options"] = new JsonObject { ["apiVersion"] = "meta.k8s.io/v1", ["kind"] = operation == "CREATE" ? "CreateOptions" : "UpdateOptions" },
            },
        };
        using var response = await _client.PostAsJsonAsync(webhook.Path, review, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
        return answer?["response"] as JsonObject;
    }
}
