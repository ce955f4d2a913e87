using Capstan.Core.Pods;

namespace Capstan.Controllers.Provisioning;

/// <summary>Which pending pods the provisioning loop acts on (Karpenter's rule).</summary>
public static class Provisionable
{
    /// <summary>
    /// Not bound, marked <c>PodScheduled=False</c> with reason <c>Unschedulable</c> by kube-scheduler, not nominated to
    /// a node by preemption, not terminating, and not owned by a DaemonSet or a Node (their pods follow their nodes).
    /// </summary>
    public static bool Is(PodView pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.IsUnschedulable && IsCandidate(pod);
    }

    /// <summary>The same rule without the Unschedulable mark: for pods the extender reported before kube-scheduler marked them.</summary>
    public static bool IsCandidate(PodView pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return !pod.IsBound
            && pod.NominatedNodeName is null
            && pod.DeletionTimestamp is null
            && pod.Phase is not ("Succeeded" or "Failed")
            && pod.OwnerKind is not ("DaemonSet" or "Node");
    }
}
