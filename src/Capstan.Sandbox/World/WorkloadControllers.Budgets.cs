using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;

namespace Capstan.Sandbox.World;

/// <summary>The disruption controller's budget status, and the DaemonSet controller's status (without its pods).</summary>
public sealed partial class WorkloadControllers
{
    /// <summary>Tolerations every daemon pod gets from the DaemonSet controller, so a DaemonSet counts such nodes too.</summary>
    private static readonly string[] s_daemonTolerated =
    [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable",
    ];

    /// <summary>
    /// Writes each budget's status as the disruption controller does: <c>currentHealthy</c> (selected pods, Ready and
    /// not going), <c>desiredHealthy</c> and <c>expectedPods</c> (for an integer <c>minAvailable</c>, the selected
    /// pods; otherwise the scale of their controllers: a Deployment's, a bare ReplicaSet's, a StatefulSet's, one per
    /// pod of any other owner or none), and <c>disruptionsAllowed</c>.
    /// </summary>
    private void SyncBudgets(DateTimeOffset now)
    {
        var (budgets, _) = _store.List(ApiResources.DisruptionBudgets);
        foreach (var budget in budgets)
        {
            Guard(ApiResources.DisruptionBudgets, budget, () => SyncBudget(budget, now));
        }
    }

    private void SyncBudget(JsonObject budget, DateTimeOffset now)
    {
        var ns = Workload.Namespace(budget);
        var selector = budget["spec"]?["selector"];
        var (pods, _) = _store.List(ApiResources.Pods, ns, p => LabelSelector.Matches(selector, Workload.Labels(p)));
        var healthy = pods.Count(p => !Workload.IsTerminating(p) && Workload.IsReady(p));
        var minAvailable = budget["spec"]?["minAvailable"];
        var maxUnavailable = budget["spec"]?["maxUnavailable"];
        int expected;
        int desired;
        if (maxUnavailable is not null)
        {
            expected = ControllersScale(pods, ns);
            desired = Math.Max(0, expected - Workload.Amount(maxUnavailable, expected, roundUp: true));
        }
        else if (minAvailable is not null && Workload.IsPercent(minAvailable))
        {
            expected = ControllersScale(pods, ns);
            desired = Workload.Amount(minAvailable, expected, roundUp: true);
        }
        else
        {
            expected = pods.Count;
            desired = Workload.Amount(minAvailable, expected, roundUp: true);
        }

        var allowed = Math.Max(0, healthy - desired);
        var status = CopyStatus(budget);
        status["observedGeneration"] = Workload.Generation(budget);
        status["currentHealthy"] = healthy;
        status["desiredHealthy"] = desired;
        status["expectedPods"] = expected;
        status["disruptionsAllowed"] = allowed;
        status["disruptedPods"] ??= new JsonObject();
        if (allowed > 0)
        {
            Workload.SetCondition(status, "DisruptionAllowed", "True", "SufficientPods", "", now);
        }
        else
        {
            Workload.SetCondition(status, "DisruptionAllowed", "False", "InsufficientPods", "", now);
        }

        foreach (var condition in (status["conditions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            condition["observedGeneration"] = Workload.Generation(budget);
        }

        WriteStatus(ApiResources.DisruptionBudgets, budget, status);
    }

    /// <summary>The summed scale of the distinct controllers of <paramref name="pods"/> (a ReplicaSet under a Deployment counts as the Deployment).</summary>
    private int ControllersScale(IReadOnlyList<JsonObject> pods, string ns)
    {
        var scales = new Dictionary<string, int>(StringComparer.Ordinal);
        var loose = 0;
        foreach (var pod in pods)
        {
            var owner = Workload.ControllerOf(pod);
            var (key, scale) = (string?)owner?["kind"] switch
            {
                "ReplicaSet" => ScaleOfReplicaSet(ns, owner!),
                "StatefulSet" => ScaleOf(ApiResources.StatefulSets, ns, owner!),
                _ => (null, 0),
            };
            if (key is null)
            {
                loose++;
            }
            else
            {
                scales[key] = scale;
            }
        }

        return loose + scales.Values.Sum();
    }

    private (string? Key, int Scale) ScaleOfReplicaSet(string ns, JsonObject reference)
    {
        var set = _store.Get(ApiResources.ReplicaSets, ns, (string?)reference["name"] ?? "");
        if (set is null || Workload.Uid(set) != (string?)reference["uid"])
        {
            return (null, 0);
        }

        if (Workload.ControllerOf(set) is { } parent && (string?)parent["kind"] == "Deployment" && ScaleOf(ApiResources.Deployments, ns, parent) is { Key: not null } deployment)
        {
            return deployment;
        }

        return (Workload.Uid(set), Workload.Replicas(set));
    }

    private (string? Key, int Scale) ScaleOf(ApiResource resource, string ns, JsonObject reference)
    {
        var owner = _store.Get(resource, ns, (string?)reference["name"] ?? "");
        return owner is null || Workload.Uid(owner) != (string?)reference["uid"] ? (null, 0) : (Workload.Uid(owner), Workload.Replicas(owner));
    }

    /// <summary>
    /// Status only: how many nodes the DaemonSet should run on (its node selector matches, their scheduling taints
    /// are tolerated), and how its pods stand on them. The sandbox makes no daemon pods; Capstan counts DaemonSets
    /// as overhead on every node it plans.
    /// </summary>
    private void SyncDaemonSets(DateTimeOffset now)
    {
        var (sets, _) = _store.List(ApiResources.DaemonSets);
        if (sets.Count == 0)
        {
            return;
        }

        var nodes = _store.List(ApiResources.Nodes, filter: n => !Workload.IsTerminating(n)).Items;
        var pods = PodsByController();
        foreach (var set in sets)
        {
            Guard(ApiResources.DaemonSets, set, () =>
            {
                var template = set["spec"]?["template"]?["spec"];
                var eligible = nodes.Where(n => RunsOn(template, n)).Select(ObjectStore.NameOf).ToHashSet(StringComparer.Ordinal);
                var owned = (pods.GetValueOrDefault(Workload.Uid(set)) ?? []).Where(p => !Workload.IsTerminating(p) && Workload.IsBound(p)).ToList();
                var placed = owned.Where(p => eligible.Contains((string?)p["spec"]?["nodeName"] ?? "")).ToList();
                var minReady = Workload.MinReadySeconds(set);
                var available = placed.Count(p => Workload.IsAvailable(p, minReady, now));
                var status = CopyStatus(set);
                status["observedGeneration"] = Workload.Generation(set);
                status["desiredNumberScheduled"] = eligible.Count;
                status["currentNumberScheduled"] = placed.Count;
                status["updatedNumberScheduled"] = placed.Count;
                status["numberMisscheduled"] = owned.Count - placed.Count;
                status["numberReady"] = placed.Count(Workload.IsReady);
                status["numberAvailable"] = available;
                status["numberUnavailable"] = Math.Max(0, eligible.Count - available);
                WriteStatus(ApiResources.DaemonSets, set, status);
            });
        }
    }

    private static bool RunsOn(JsonNode? podSpec, JsonObject node)
    {
        var labels = Workload.Labels(node);
        foreach (var (key, value) in podSpec?["nodeSelector"] as JsonObject ?? [])
        {
            if ((string?)labels?[key] != (string?)value)
            {
                return false;
            }
        }

        var tolerations = (podSpec?["tolerations"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var taint in (node["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = (string?)taint["key"] ?? "";
            var effect = (string?)taint["effect"] ?? "";
            if (effect is not ("NoSchedule" or "NoExecute") || s_daemonTolerated.Contains(key))
            {
                continue;
            }

            if (!tolerations.Any(t => Tolerates(t, taint)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Tolerates(JsonObject toleration, JsonObject taint)
    {
        var effect = (string?)toleration["effect"];
        if (!string.IsNullOrEmpty(effect) && effect != (string?)taint["effect"])
        {
            return false;
        }

        var key = (string?)toleration["key"] ?? "";
        if ((string?)toleration["operator"] == "Exists")
        {
            return key.Length == 0 || key == (string?)taint["key"];
        }

        return key == (string?)taint["key"] && ((string?)toleration["value"] ?? "") == ((string?)taint["value"] ?? "");
    }
}
