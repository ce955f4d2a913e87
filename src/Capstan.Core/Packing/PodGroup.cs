using Capstan.Core.Pods;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>Pending pods with identical scheduling constraints; they share every compatibility computation.</summary>
internal sealed class PodGroup
{
    public required int Id { get; init; }

    public required PodRequest Sample { get; init; }

    /// <summary>Positions (in packing order) of the group's pods.</summary>
    public List<int> Positions { get; } = [];

    /// <summary>Relaxation levels, strictest first.</summary>
    public Variant[] Variants { get; set; } = [];

    /// <summary>Topology groups whose selectors match this group's pods (they count where these pods go).</summary>
    public List<TopologyGroup> CountedBy { get; } = [];

    /// <summary>Whether each owner group's anti-affinity term selects this group's pods.</summary>
    public Dictionary<OwnerGroup, bool> SelectedByOwner { get; } = new(ReferenceEqualityComparer.Instance);

    public IReadOnlyList<Toleration> Tolerations => Sample.Tolerations;
}
