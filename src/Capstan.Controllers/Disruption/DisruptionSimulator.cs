using Capstan.Controllers.Provisioning;
using Capstan.Core.Cluster;
using Capstan.Core.Packing;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Resources;

namespace Capstan.Controllers.Disruption;

/// <summary>What the packing core says would happen to the pods of some nodes if those nodes went away.</summary>
public sealed record SimulationResult(IReadOnlyList<PodRequest> Moved, IReadOnlyList<NodeClaimPlan> NewClaims, IReadOnlyList<UnschedulablePod> Unschedulable)
{
    /// <summary>Every moved pod found room on the nodes that stay (in flight ones included).</summary>
    public bool FitsElsewhere => NewClaims.Count == 0 && Unschedulable.Count == 0;

    public double NewPricePerHour => NewClaims.Sum(c => c.Cheapest.Offering.PricePerHour);
}

/// <summary>
/// Simulates removing nodes with the packing core: their pods (DaemonSet and static pods aside) become pending, the
/// nodes leave the snapshot, and the plan says whether the pods fit on the other nodes or what must be launched.
/// One snapshot per pass is built from the cluster state; each simulation only changes which nodes are removed.
/// </summary>
public sealed class DisruptionSimulator
{
    private readonly IClusterState _cluster;
    private readonly Snapshot _base;

    public DisruptionSimulator(IClusterState cluster, IReadOnlyDictionary<string, ProvisionerCapacity> capacity, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(capacity);
        _cluster = cluster;
        _base = SnapshotBuilder.Build(cluster, new SnapshotInputs
        {
            Now = now,
            InstanceTypesFor = p => capacity.TryGetValue(p.Name, out var c) ? c.InstanceTypes : [],
            DaemonSets = cluster.DaemonSetPods(),
            NamespaceLabels = cluster.NamespaceLabels(),
        });
    }

    /// <summary>The pods a drain of the node would move: all but DaemonSet pods, static pods and finished ones.</summary>
    public IReadOnlyList<PodRequest> MovablePods(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var pods = new List<PodRequest>(node.Pods.Count);
        foreach (var pod in node.Pods)
        {
            var view = _cluster.FindPodView(pod.Namespace, pod.Name);
            if (view is null || (view.OwnerKind is not ("DaemonSet" or "Node") && view.Phase is not ("Succeeded" or "Failed")))
            {
                pods.Add(pod);
            }
        }

        return pods;
    }

    public SimulationResult Simulate(IReadOnlyCollection<NodeView> removed)
    {
        ArgumentNullException.ThrowIfNull(removed);
        var names = new HashSet<string>(removed.Select(n => n.Name), StringComparer.Ordinal);
        var moved = removed.SelectMany(MovablePods).ToList();
        var nodes = _base.Nodes.Where(n => !names.Contains(n.Name)).ToList();
        var usage = SnapshotBuilder.Usage(nodes);
        var plan = Packer.Solve(_base with
        {
            PendingPods = moved,
            Nodes = nodes,
            Provisioners = [.. _base.Provisioners.Select(p => p with { Usage = usage.GetValueOrDefault(p.Provisioner.Name, ResourceList.Empty) })],
        });
        return new SimulationResult(moved, plan.NodeClaims, plan.Unschedulable);
    }
}
