using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Core.NodeGroups;

/// <summary>
/// Cluster Autoscaler's <c>--balance-similar-node-groups</c>: when the expander picks a group, the nodes it needs are
/// spread over the groups that are similar to it (the usual case is one group per availability zone), keeping their
/// sizes as even as their maximums allow. Groups are similar when their nodes have the same resources (memory
/// capacity within 1.5 %, allocatable within 5 %, every other capacity equal), the same labels apart from the ignored
/// ones, the same taints and the same capacity type.
/// </summary>
public sealed record NodeGroupBalancing
{
    /// <summary>Balancing off: the expander's group takes all the nodes.</summary>
    public static readonly NodeGroupBalancing Off = new();

    /// <summary>
    /// Labels that differ between groups of the same kind by nature: the zone and region, the host name, and the
    /// labels EKS, eksctl and kops give each group's nodes. (Cluster Autoscaler ignores the same ones on AWS.)
    /// </summary>
    public static readonly IReadOnlySet<string> DefaultIgnoredLabels = new HashSet<string>(StringComparer.Ordinal)
    {
        Labels.Hostname,
        Labels.Zone,
        "topology.kubernetes.io/region",
        "failure-domain.beta.kubernetes.io/zone",
        "failure-domain.beta.kubernetes.io/region",
        "beta.kubernetes.io/fluentd-ds-ready",
        "kops.k8s.io/instancegroup",
        "alpha.eksctl.io/instance-id",
        "alpha.eksctl.io/nodegroup-name",
        "eks.amazonaws.com/nodegroup",
        "k8s.amazonaws.com/eniConfig",
        "lifecycle",
        "topology.ebs.csi.aws.com/zone",
    };

    private const double MemoryCapacityTolerance = 0.015;
    private const double AllocatableTolerance = 0.05;

    public bool Enabled { get; init; }

    /// <summary>Labels left out of the comparison: <see cref="DefaultIgnoredLabels"/> and the ones configured.</summary>
    public IReadOnlySet<string> IgnoredLabels { get; init; } = DefaultIgnoredLabels;

    /// <summary>A balancing with the default ignored labels and <paramref name="extraIgnoredLabels"/>.</summary>
    public static NodeGroupBalancing On(IEnumerable<string> extraIgnoredLabels)
    {
        ArgumentNullException.ThrowIfNull(extraIgnoredLabels);
        var ignored = new HashSet<string>(DefaultIgnoredLabels, StringComparer.Ordinal);
        ignored.UnionWith(extraIgnoredLabels);
        return new NodeGroupBalancing { Enabled = true, IgnoredLabels = ignored };
    }

    /// <summary>Whether the two groups' nodes are interchangeable for balancing.</summary>
    public bool AreSimilar(NodeGroup a, NodeGroup b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.PlannedType is not { } ta || b.PlannedType is not { } tb || a.CapacityType != b.CapacityType)
        {
            return false;
        }

        return SameCapacity(ta.Capacity, tb.Capacity) && Within(ta.Allocatable, tb.Allocatable, AllocatableTolerance)
            && SameLabels(a.Template.Labels, b.Template.Labels) && a.Template.Taints.ToHashSet().SetEquals(b.Template.Taints);
    }

    /// <summary>
    /// Spreads <paramref name="nodes"/> new nodes over <paramref name="groups"/>: each node goes to the group with the
    /// smallest desired capacity so far that still has room (ties to the name that sorts first), so the sizes even out.
    /// Returns how many each group gets (groups that get none are left out), in the order given.
    /// </summary>
    public static IReadOnlyList<(NodeGroup Group, int Nodes)> Split(int nodes, IReadOnlyList<NodeGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var added = new int[groups.Count];
        for (var n = 0; n < nodes; n++)
        {
            var best = -1;
            for (var i = 0; i < groups.Count; i++)
            {
                if (added[i] >= groups[i].Headroom)
                {
                    continue;
                }

                if (best < 0 || Size(i) < Size(best) || (Size(i) == Size(best) && string.CompareOrdinal(groups[i].Name, groups[best].Name) < 0))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                break;
            }

            added[best]++;
        }

        return [.. groups.Select((g, i) => (g, added[i])).Where(s => s.Item2 > 0)];

        int Size(int i) => groups[i].DesiredCapacity + added[i];
    }

    private bool SameLabels(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        var counted = 0;
        foreach (var (key, value) in a)
        {
            if (IgnoredLabels.Contains(key))
            {
                continue;
            }

            if (!b.TryGetValue(key, out var other) || other != value)
            {
                return false;
            }

            counted++;
        }

        return counted == b.Keys.Count(k => !IgnoredLabels.Contains(k));
    }

    private static bool SameCapacity(ResourceList a, ResourceList b)
    {
        foreach (var name in a.Names.Union(b.Names))
        {
            var x = a.Get(name).ToDouble();
            var y = b.Get(name).ToDouble();
            if (name == ResourceNames.Memory ? !Close(x, y, MemoryCapacityTolerance) : x != y)
            {
                return false;
            }
        }

        return true;
    }

    private static bool Within(ResourceList a, ResourceList b, double tolerance) =>
        a.Names.Union(b.Names).All(name => Close(a.Get(name).ToDouble(), b.Get(name).ToDouble(), tolerance));

    private static bool Close(double x, double y, double tolerance)
    {
        var larger = Math.Max(Math.Abs(x), Math.Abs(y));
        return larger == 0 || Math.Abs(x - y) <= tolerance * larger;
    }
}
