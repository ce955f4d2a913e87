using System.Globalization;
using System.Text.Json.Nodes;
using Capstan.Core.Resources;

namespace Capstan.Sandbox.World;

/// <summary>
/// kube-scheduler's own filters, the ones that decide the tutorials: the node is schedulable and not going, the pod
/// tolerates its NoSchedule and NoExecute taints (the not-ready taint of a node still booting included), its
/// nodeSelector and required node affinity match the node's labels, and its requests fit in what the node's pods leave
/// of its allocatable cpu, memory and pod count.
/// </summary>
public static class PodFit
{
    /// <summary>Why the node cannot take the pod, in kube-scheduler's words, or null when it can.</summary>
    public static string? Check(JsonObject pod, JsonObject node, IEnumerable<JsonObject> podsOnNode)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(podsOnNode);
        if (node["metadata"]?["deletionTimestamp"] is not null)
        {
            return "node(s) were being deleted";
        }

        if ((bool?)node["spec"]?["unschedulable"] == true)
        {
            return "node(s) were unschedulable";
        }

        var tolerations = pod["spec"]?["tolerations"] as JsonArray ?? [];
        foreach (var taint in node["spec"]?["taints"] as JsonArray ?? [])
        {
            var effect = (string?)taint?["effect"];
            if (effect is "NoSchedule" or "NoExecute" && !tolerations.Any(t => Tolerates(t, taint!)))
            {
                return $"node(s) had untolerated taint {{{(string?)taint!["key"]}: {(string?)taint["value"]}}}".Replace(": }", "}", StringComparison.Ordinal);
            }
        }

        var labels = node["metadata"]?["labels"] as JsonObject;
        foreach (var (key, value) in pod["spec"]?["nodeSelector"] as JsonObject ?? [])
        {
            if ((string?)labels?[key] != (string?)value)
            {
                return "node(s) didn't match Pod's node affinity/selector";
            }
        }

        var terms = pod["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] as JsonArray;
        if (terms is { Count: > 0 } && !terms.Any(term => TermMatches(term, labels)))
        {
            return "node(s) didn't match Pod's node affinity/selector";
        }

        var allocatable = node["status"]?["allocatable"] as JsonObject;
        var used = podsOnNode.Where(p => (string?)p["status"]?["phase"] is not ("Succeeded" or "Failed")).ToList();
        var requests = Requests(pod);
        foreach (var (resource, wanted) in requests)
        {
            var have = Parse(allocatable?[resource]);
            var taken = used.Aggregate(Quantity.Zero, (sum, p) => sum + Requests(p).GetValueOrDefault(resource));
            if (taken + wanted > have)
            {
                return $"Insufficient {resource}";
            }
        }

        var podLimit = Parse(allocatable?["pods"]);
        if (!podLimit.IsZero && used.Count + 1 > podLimit.Value)
        {
            return "Too many pods";
        }

        return null;
    }

    /// <summary>The pod's requests: the sum over its containers, at least each init container's.</summary>
    public static Dictionary<string, Quantity> Requests(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var total = new Dictionary<string, Quantity>(StringComparer.Ordinal);
        foreach (var container in pod["spec"]?["containers"] as JsonArray ?? [])
        {
            foreach (var (name, value) in container?["resources"]?["requests"] as JsonObject ?? [])
            {
                total[name] = total.GetValueOrDefault(name) + Parse(value);
            }
        }

        foreach (var container in pod["spec"]?["initContainers"] as JsonArray ?? [])
        {
            foreach (var (name, value) in container?["resources"]?["requests"] as JsonObject ?? [])
            {
                total[name] = Quantity.Max(total.GetValueOrDefault(name), Parse(value));
            }
        }

        return total;
    }

    public static Quantity Parse(JsonNode? value)
    {
        var text = value switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v => v.ToJsonString(),
            _ => null,
        };
        return text is not null && Quantity.TryParse(text, out var q) ? q : Quantity.Zero;
    }

    private static bool Tolerates(JsonNode? toleration, JsonNode taint)
    {
        var key = (string?)toleration?["key"];
        var op = (string?)toleration?["operator"] ?? "Equal";
        var effect = (string?)toleration?["effect"];
        if (!string.IsNullOrEmpty(effect) && effect != (string?)taint["effect"])
        {
            return false;
        }

        if (string.IsNullOrEmpty(key))
        {
            return op == "Exists";
        }

        return key == (string?)taint["key"] && (op == "Exists" || (string?)toleration?["value"] == ((string?)taint["value"] ?? ""));
    }

    private static bool TermMatches(JsonNode? term, JsonObject? labels)
    {
        var expressions = term?["matchExpressions"] as JsonArray ?? [];
        return expressions.All(expression =>
        {
            var actual = (string?)labels?[(string?)expression?["key"] ?? ""];
            var values = (expression?["values"] as JsonArray ?? []).Select(v => (string?)v).ToList();
            return (string?)expression?["operator"] switch
            {
                "In" => actual is not null && values.Contains(actual),
                "NotIn" => actual is null || !values.Contains(actual),
                "Exists" => actual is not null,
                "DoesNotExist" => actual is null,
                "Gt" => long.TryParse(actual, CultureInfo.InvariantCulture, out var a) && long.TryParse(values.FirstOrDefault(), CultureInfo.InvariantCulture, out var b) && a > b,
                "Lt" => long.TryParse(actual, CultureInfo.InvariantCulture, out var c) && long.TryParse(values.FirstOrDefault(), CultureInfo.InvariantCulture, out var d) && c < d,
                _ => false,
            };
        });
    }
}
