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

    /// <summary>For each position index in the group, the smallest cpu request from there on.</summary>
    public long[] SuffixMinCpu { get; set; } = [];

    /// <summary>For each position index in the group, the smallest memory request from there on.</summary>
    public long[] SuffixMinMemory { get; set; } = [];

    /// <summary>Pods of the group not placed yet.</summary>
    public int Remaining { get; set; }

    /// <summary>Relaxation levels, strictest first.</summary>
    public Variant[] Variants { get; set; } = [];

    /// <summary>Topology groups whose selectors match this group's pods (they count where these pods go).</summary>
    public List<TopologyGroup> CountedBy { get; } = [];

    /// <summary>Whether each owner group's anti-affinity term selects this group's pods.</summary>
    public Dictionary<OwnerGroup, bool> SelectedByOwner { get; } = new(ReferenceEqualityComparer.Instance);

    public IReadOnlyList<Toleration> Tolerations => Sample.Tolerations;

    /// <summary>
    /// The last pod of the group that found no place: its request, the reason, and how many placements the run had
    /// made by then. A later pod of the group asking the same, with no placement since, meets the same state and the
    /// same answer (everything it is judged on is the group's or the plan's), so it is not judged again: thousands
    /// of identical pods past a provisioner's limit are then cheap.
    /// </summary>
    public (long[] Request, string Reason, int Placements)? LastFailure { get; set; }
}
