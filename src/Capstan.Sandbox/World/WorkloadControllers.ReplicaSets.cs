using System.Text.Json.Nodes;
using Capstan.Sandbox.Kubernetes;

namespace Capstan.Sandbox.World;

/// <summary>The ReplicaSet controller: keeps <c>spec.replicas</c> pods, and gives up the cheapest ones first.</summary>
public sealed partial class WorkloadControllers
{
    private void SyncReplicaSets(DateTimeOffset now)
    {
        var (sets, _) = _store.List(ApiResources.ReplicaSets);
        if (sets.Count == 0)
        {
            return;
        }

        var pods = PodsByController();
        foreach (var set in sets)
        {
            Guard(ApiResources.ReplicaSets, set, () => SyncReplicaSet(set, pods.GetValueOrDefault(Workload.Uid(set)) ?? [], now));
        }
    }

    /// <summary>
    /// Counts the pods it controls that are neither going nor done, makes the missing ones from its template or
    /// deletes the surplus (unscheduled, pending, not ready, newer first), and reports what it saw. Pods matching
    /// its selector without an owner are not adopted.
    /// </summary>
    private void SyncReplicaSet(JsonObject set, List<JsonObject> pods, DateTimeOffset now)
    {
        var active = pods.Where(Workload.IsActive).ToList();
        if (!Workload.IsTerminating(set))
        {
            var diff = Workload.Replicas(set) - active.Count;
            if (diff > 0)
            {
                CreatePods(ApiResources.ReplicaSets, set, set["spec"]?["template"], diff);
            }
            else if (diff < 0)
            {
                DeletePods(ApiResources.ReplicaSets, set, active, -diff);
            }
        }

        var minReady = Workload.MinReadySeconds(set);
        var templateLabels = set["spec"]?["template"]?["metadata"]?["labels"] as JsonObject;
        var status = CopyStatus(set);
        status["replicas"] = active.Count;
        status["fullyLabeledReplicas"] = active.Count(p => FullyLabeled(p, templateLabels));
        status["readyReplicas"] = active.Count(Workload.IsReady);
        status["availableReplicas"] = active.Count(p => Workload.IsAvailable(p, minReady, now));
        status["observedGeneration"] = Workload.Generation(set);
        WriteStatus(ApiResources.ReplicaSets, set, status);
    }

    private static bool FullyLabeled(JsonObject pod, JsonObject? templateLabels)
    {
        var labels = Workload.Labels(pod);
        return (templateLabels ?? []).All(l => (string?)labels?[l.Key] == (string?)l.Value);
    }
}
