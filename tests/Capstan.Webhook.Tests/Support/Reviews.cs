using System.Text.Json.Nodes;

namespace Capstan.Webhook.Tests.Support;

/// <summary>AdmissionReview request bodies in the shape of admission.k8s.io/v1.</summary>
public static class Reviews
{
    public static string Request(JsonNode? obj, string operation = "CREATE", string uid = "2b752327-a529-4ffd-b2e2-478455e80a0d",
        string apiVersion = "admission.k8s.io/v1", JsonNode? oldObject = null)
    {
        var (group, version, kind) = Gvk(obj);
        var review = new JsonObject
        {
            ["kind"] = "AdmissionReview",
            ["apiVersion"] = apiVersion,
            ["request"] = new JsonObject
            {
                ["uid"] = uid,
                ["kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = kind },
                ["resource"] = new JsonObject { ["group"] = group, ["version"] = version, ["resource"] = kind.ToLowerInvariant() + "s" },
                ["name"] = obj?["metadata"]?["name"]?.GetValue<string>(),
                ["operation"] = operation,
                ["userInfo"] = new JsonObject { ["username"] = "alice@example.com", ["groups"] = new JsonArray("system:authenticated") },
                ["object"] = obj?.DeepClone(),
                ["oldObject"] = oldObject?.DeepClone(),
                ["dryRun"] = false,
                ["options"] = new JsonObject { ["kind"] = "CreateOptions", ["apiVersion"] = "meta.k8s.io/v1" },
            },
        };
        return review.ToJsonString();
    }

    private static (string Group, string Version, string Kind) Gvk(JsonNode? obj)
    {
        var apiVersion = obj?["apiVersion"]?.GetValue<string>() ?? "karpenter.sh/v1alpha5";
        var kind = obj?["kind"]?.GetValue<string>() ?? "Provisioner";
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("", apiVersion, kind) : (apiVersion[..slash], apiVersion[(slash + 1)..], kind);
    }
}
