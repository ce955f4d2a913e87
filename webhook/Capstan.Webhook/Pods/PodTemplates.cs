using System.Text.Json;
using Capstan.Webhook.Admission;

namespace Capstan.Webhook.Pods;

/// <summary>
/// Where the pod (metadata + spec) sits in each kind the pods webhook sees: a Pod itself, or the pod template of a
/// workload, so the warning reaches the user who applies a Deployment rather than the controller that creates pods.
/// </summary>
public static class PodTemplates
{
    /// <summary>The pod template (an object with <c>metadata</c> and <c>spec</c>), or null for kinds without one (DaemonSets included).</summary>
    public static JsonElement? Find(GroupVersionKind kind, JsonElement obj)
    {
        ArgumentNullException.ThrowIfNull(kind);
        string[]? path = (kind.Group ?? "", kind.Kind) switch
        {
            ("", "Pod") => [],
            ("apps", "Deployment" or "ReplicaSet" or "StatefulSet") => ["spec", "template"],
            ("batch", "Job") => ["spec", "template"],
            ("batch", "CronJob") => ["spec", "jobTemplate", "spec", "template"],
            _ => null,
        };
        if (path is null)
        {
            return null;
        }

        var current = obj;
        foreach (var step in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(step, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.Object ? current : null;
    }
}
