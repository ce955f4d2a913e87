using Capstan.Core.Cluster;
using Capstan.Core.Placement;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Resources;

namespace Capstan.Core.Packing;

/// <summary>
/// Turns the cluster state into a packing <see cref="Snapshot"/>: pending pods, nodes (in-flight ones included) with
/// their pods, provisioners with their instance types and current usage. One builder for the provisioning
/// controller, the offline planner and the sandbox.
/// </summary>
public static class SnapshotBuilder
{
    public static Snapshot Build(IClusterState cluster, SnapshotInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(inputs);
        var nodes = cluster.Nodes();
        var pending = cluster.PendingPods();
        if (inputs.Ledger is { } ledger)
        {
            (nodes, pending) = WithLedger(cluster, ledger, nodes, pending);
        }

        var usage = Usage(nodes);
        return new Snapshot
        {
            Now = inputs.Now,
            PendingPods = pending,
            Nodes = nodes,
            DaemonSets = inputs.DaemonSets,
            NamespaceLabels = inputs.NamespaceLabels,
            Provisioners = [.. cluster.Provisioners().Select(p => new ProvisionerState(p)
            {
                InstanceTypes = inputs.InstanceTypesFor(p),
                Usage = usage.GetValueOrDefault(p.Name, ResourceList.Empty),
            })],
            InstanceTypes = inputs.DefaultInstanceTypes,
            Options = inputs.Options,
        };
    }

    /// <summary>
    /// What each provisioner has provisioned, counted against its limits: the sum of the capacity of the nodes that
    /// carry its <c>karpenter.sh/provisioner-name</c> label, in flight or registered, as Karpenter counts it.
    /// </summary>
    public static IReadOnlyDictionary<string, ResourceList> Usage(IReadOnlyList<NodeView> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var usage = new Dictionary<string, ResourceList>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (node.ProvisionerName is { } name)
            {
                usage[name] = usage.TryGetValue(name, out var sum) ? sum.Add(node.Capacity) : node.Capacity;
            }
        }

        return usage;
    }

    private static (IReadOnlyList<NodeView> Nodes, IReadOnlyList<PodRequest> Pending) WithLedger(
        IClusterState cluster, IPlacementLedger ledger, IReadOnlyList<NodeView> nodes, IReadOnlyList<PodRequest> pending)
    {
        HashSet<string>? held = null;
        var withEntries = new NodeView[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var unseen = ledger.Unseen(node);
            if (unseen.Count == 0)
            {
                withEntries[i] = node;
                continue;
            }

            held ??= new HashSet<string>(StringComparer.Ordinal);
            var pods = new List<PodRequest>(node.Pods.Count + unseen.Count);
            pods.AddRange(node.Pods);
            foreach (var entry in unseen)
            {
                pods.Add(PodOf(cluster, entry));
                held.Add(entry.Namespace + "/" + entry.Name);
            }

            withEntries[i] = node with { Pods = pods };
        }

        var stillPending = pending
            .Where(p => !(held?.Contains(p.Key) ?? false) && ledger.BoundNodeOf(p.Namespace, p.Name) is null)
            .ToList();
        return (withEntries, stillPending);
    }

    /// <summary>The pod as the cluster state knows it (labels matter for affinity and spread), else its ledger entry's requests.</summary>
    private static PodRequest PodOf(IClusterState cluster, LedgerEntry entry) =>
        cluster.FindPod(entry.Namespace, entry.Name) ?? new PodRequest
        {
            Namespace = entry.Namespace,
            Name = entry.Name,
            Uid = entry.Uid,
            Requests = entry.Requests,
        };
}
