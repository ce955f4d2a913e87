using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Pods;

/// <summary>
/// What the packing core needs to know about one pod: its effective resource requests and every
/// scheduling constraint, already parsed out of the Kubernetes object by an adapter.
/// </summary>
public sealed record PodRequest
{
    private static readonly IReadOnlyDictionary<string, string> s_noLabels = new Dictionary<string, string>();

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public string Uid { get; init; } = "";

    public IReadOnlyDictionary<string, string> Labels { get; init; } = s_noLabels;

    /// <summary>Effective requests: max(sum of containers, each init container) plus pod overhead, plus pods=1.</summary>
    public required ResourceList Requests { get; init; }

    /// <summary><c>spec.nodeSelector</c> as In requirements (keys normalised).</summary>
    public Requirements NodeSelector { get; init; } = Requirements.Empty;

    /// <summary>Required node affinity: an OR of terms, each an AND. Empty means no required affinity.</summary>
    public IReadOnlyList<Requirements> RequiredAffinity { get; init; } = [];

    /// <summary>Preferred node affinity terms, honoured where possible.</summary>
    public IReadOnlyList<WeightedTerm<Requirements>> PreferredAffinity { get; init; } = [];

    public IReadOnlyList<Toleration> Tolerations { get; init; } = [];

    public IReadOnlyList<TopologySpreadConstraint> TopologySpread { get; init; } = [];

    public IReadOnlyList<PodAffinityTerm> RequiredPodAffinity { get; init; } = [];

    public IReadOnlyList<WeightedTerm<PodAffinityTerm>> PreferredPodAffinity { get; init; } = [];

    public IReadOnlyList<PodAffinityTerm> RequiredPodAntiAffinity { get; init; } = [];

    public IReadOnlyList<WeightedTerm<PodAffinityTerm>> PreferredPodAntiAffinity { get; init; } = [];

    public IReadOnlyList<HostPort> HostPorts { get; init; } = [];

    /// <summary>Creation order (for deterministic tie-breaking); lower is older.</summary>
    public long CreationOrder { get; init; }

    /// <summary><c>karpenter.sh/do-not-evict</c> is set.</summary>
    public bool DoNotEvict { get; init; }

    /// <summary>
    /// <c>cluster-autoscaler.kubernetes.io/safe-to-evict</c>: true lets a node-group scale-down move the pod even
    /// without a controller or with local storage; false keeps its node; null when not set.
    /// </summary>
    public bool? SafeToEvict { get; init; }

    /// <summary>The pod mounts node-local storage (a hostPath, or an emptyDir not backed by memory).</summary>
    public bool HasLocalStorage { get; init; }

    public string Key => $"{Namespace}/{Name}";

    /// <summary>
    /// Computes effective requests the way kube-scheduler does: the larger of the sum of the regular
    /// containers and each init container (sidecar init containers, which keep running, add to the sum),
    /// plus the RuntimeClass overhead, plus one pod slot.
    /// </summary>
    public static ResourceList EffectiveRequests(
        IEnumerable<ResourceList> containers,
        IEnumerable<ResourceList>? initContainers = null,
        ResourceList? overhead = null,
        IEnumerable<ResourceList>? sidecars = null)
    {
        // Adding to an empty list gives the other list: skip that merge (most pods have one container, no sidecar).
        var sum = ResourceList.Empty;
        foreach (var c in containers)
        {
            sum = sum.IsEmpty ? c : sum.Add(c);
        }

        var running = ResourceList.Empty;
        foreach (var s in sidecars ?? [])
        {
            running = running.IsEmpty ? s : running.Add(s);
        }

        var total = running.IsEmpty ? sum : sum.Add(running);
        foreach (var init in initContainers ?? [])
        {
            total = total.Max(init.Add(running));
        }

        if (overhead is not null)
        {
            total = total.Add(overhead);
        }

        return total.With(ResourceNames.Pods, Quantity.FromUnits(1));
    }

    public override string ToString() => Key;
}
