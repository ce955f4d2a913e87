using System.Globalization;
using System.Text.Json.Nodes;

namespace Capstan.Sandbox.Kubernetes;

/// <summary>
/// The eviction subresource: a pod that is not running (or already going) is deleted at once; a running one only
/// when the PodDisruptionBudget that selects it allows one more disruption (its healthy pods above minAvailable, or
/// its unavailable ones below maxUnavailable), else 429 in the server's words, which drains retry.
/// </summary>
public sealed partial class ApiServer
{
    /// <summary>Evicts a pod (graceful deletion with the eviction's grace period) or throws 429 / 404 / 500 as the server would.</summary>
    public void Evict(RequestTarget target, JsonObject? eviction)
    {
        ArgumentNullException.ThrowIfNull(target);
        var pod = Existing(target);
        if (Faults.EvictionBlocked(target.Namespace, target.Name!))
        {
            throw new ApiException(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.");
        }

        var grace = JsonNumbers.Whole(eviction?["deleteOptions"]?["gracePeriodSeconds"]);
        var phase = (string?)pod["status"]?["phase"];
        if (pod["metadata"]?["deletionTimestamp"] is not null || phase is "Succeeded" or "Failed" or "Pending" or null)
        {
            Store.Delete(ApiResources.Pods, target.Namespace, target.Name!, grace);
            return;
        }

        var labels = pod["metadata"]?["labels"] as JsonObject;
        var (budgets, _) = Store.List(ApiResources.DisruptionBudgets, target.Namespace, b => LabelSelector.Matches(b["spec"]?["selector"], labels));
        if (budgets.Count > 1)
        {
            throw new ApiException(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        }

        if (budgets.Count == 1 && DisruptionsAllowed(budgets[0], target.Namespace!) <= 0)
        {
            throw new ApiException(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.")
            {
                Details = new JsonObject
                {
                    ["causes"] = new JsonArray(new JsonObject
                    {
                        ["reason"] = "DisruptionBudget",
                        ["message"] = $"The disruption budget {ObjectStore.NameOf(budgets[0])} needs {Required(budgets[0], target.Namespace!)} healthy pods and has {Healthy(budgets[0], target.Namespace!)} currently",
                    }),
                },
            };
        }

        Store.Delete(ApiResources.Pods, target.Namespace, target.Name!, grace);
    }

    /// <summary>The disruption controller's figure for a budget: healthy pods minus the ones it must keep.</summary>
    public int DisruptionsAllowed(JsonObject budget, string budgetNamespace)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return Healthy(budget, budgetNamespace) - Required(budget, budgetNamespace);
    }

    private List<JsonObject> Selected(JsonObject budget, string budgetNamespace) =>
        [.. Store.List(ApiResources.Pods, budgetNamespace, p => LabelSelector.Matches(budget["spec"]?["selector"], p["metadata"]?["labels"] as JsonObject)).Items];

    private int Healthy(JsonObject budget, string budgetNamespace) =>
        Selected(budget, budgetNamespace).Count(p => p["metadata"]?["deletionTimestamp"] is null && PodConditions.StatusOf(p, "Ready") == "True");

    private int Required(JsonObject budget, string budgetNamespace)
    {
        var expected = Selected(budget, budgetNamespace).Count(p => p["metadata"]?["deletionTimestamp"] is null);
        var spec = budget["spec"];
        if (spec?["minAvailable"] is { } min)
        {
            return Amount(min, expected, roundUp: true);
        }

        if (spec?["maxUnavailable"] is { } max)
        {
            return Math.Max(0, expected - Amount(max, expected, roundUp: true));
        }

        return 0;
    }

    /// <summary>An int-or-percent of <paramref name="total"/> (percentages rounded up, as the disruption controller does).</summary>
    private static int Amount(JsonNode value, int total, bool roundUp)
    {
        if (value is JsonValue v && v.TryGetValue<int>(out var count))
        {
            return count;
        }

        var text = ((string?)value ?? "0").Trim();
        if (text.EndsWith('%') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
        {
            var exact = total * percent / 100;
            return (int)(roundUp ? Math.Ceiling(exact) : Math.Floor(exact));
        }

        return int.TryParse(text, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
    }
}
