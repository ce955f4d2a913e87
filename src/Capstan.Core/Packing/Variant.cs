using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>One relaxation level of a pod group: the constraints in force at that level.</summary>
internal sealed class Variant
{
    public required PodGroup Group { get; init; }

    /// <summary>Node requirements, one per required node-affinity term (ORed), preferred terms folded in.</summary>
    public required Requirements[] Alternatives { get; init; }

    public required TopologySpreadConstraint[] Spreads { get; init; }

    public required PodAffinityTerm[] Affinity { get; init; }

    public required PodAffinityTerm[] AntiAffinity { get; init; }

    /// <summary>How many pods of this group one node can take, from self-selecting hostname rules and host ports.</summary>
    public required int MaxPerNode { get; init; }

    /// <summary>What this level gave up, for the plan's reasons.</summary>
    public required string Relaxed { get; init; }

    public TopologyGroup[] SpreadGroups { get; set; } = [];

    public TopologyGroup[] AffinityGroups { get; set; } = [];

    public TopologyGroup[] AntiGroups { get; set; } = [];

    /// <summary>Zones a pod of this level could land in at all (spread skew is measured over them), filled on demand.</summary>
    public string[]? EligibleZones { get; set; }

    /// <summary>Per alternative: claims before this index rejected this level for good.</summary>
    public required int[] FirstCandidate { get; init; }

    /// <summary>
    /// True when a topology rejection cannot be lifted later (no pod affinity and no spread outside the
    /// hostname key: counts and anti-affinity domains only grow).
    /// </summary>
    public required bool TopologyRejectionLasts { get; init; }

    /// <summary>Compatibility per [alternative, provisioner], filled on demand.</summary>
    public required AltCompat?[,] Compat { get; init; }

    /// <summary>Per alternative: whether each existing node can take the pod (labels and taints), filled on demand.</summary>
    public required sbyte[][] NodeFit { get; init; }
}
