using Capstan.Core.Cluster;
using Capstan.Core.Placement;
using Capstan.Core.Resources;

namespace Capstan.Core.Ports;

/// <summary>
/// What Capstan has placed on each node that the cluster state may not show yet: pods it is binding or has bound.
/// One ledger is shared by every binder (the extender's bind verb and the provisioning controller), so that none
/// of them overcommits a node the others are filling. Free capacity is the node's allocatable, minus the pods the
/// cluster state shows on it, minus the entries it does not show yet.
/// </summary>
/// <remarks>
/// A binder calls <see cref="TryReserve"/>, then the Binding API, then <see cref="Commit"/> when the binding was made
/// or <see cref="Release"/> when it failed. An entry stops counting once the cluster state shows the pod on the node,
/// or after <see cref="EntryTtl"/>.
/// </remarks>
public interface IPlacementLedger
{
    /// <summary>How long an entry counts when the cluster state never shows its pod.</summary>
    TimeSpan EntryTtl { get; }

    /// <summary>Total number of entries held, for metrics and tests.</summary>
    int Count { get; }

    /// <summary>
    /// Changes whenever a node's <see cref="LedgerNode"/> is created. A caller that found none for a node need not
    /// look again while this is unchanged (read it before looking).
    /// </summary>
    int NodeVersion { get; }

    /// <summary>The entries held for a node (a lock-free snapshot, expired ones included until the next write).</summary>
    IReadOnlyList<LedgerEntry> EntriesFor(string nodeName);

    /// <summary>The node's holder of entries, or null before the first write for it; once created it never changes.</summary>
    LedgerNode? FindNode(string nodeName);

    /// <summary>The node Capstan bound the pod to, while that entry is still held.</summary>
    string? BoundNodeOf(string podNamespace, string podName);

    /// <summary>Allocatable minus the requests of the pods the view shows on the node (cached per view instance).</summary>
    ResourceList CacheFree(NodeView node);

    /// <summary>The entries that count on the node now: not expired and not shown in <paramref name="node"/>'s pods.</summary>
    IReadOnlyList<LedgerEntry> Unseen(NodeView node);

    /// <summary>The sum of one resource over the <paramref name="entries"/> that count against <paramref name="node"/> (see <see cref="Unseen"/>).</summary>
    long Outstanding(LedgerEntry[] entries, NodeView node, string resource);

    /// <summary>What is left of one resource on the node, counting the entries the view does not show.</summary>
    long RemainingMilli(NodeView node, string resource);

    /// <summary>The first resource of the demand that the node cannot hold, or null when the pod fits.</summary>
    string? FirstShortfall(NodeView node, PodDemand demand);

    /// <summary>
    /// Atomically checks that the pod fits on the node and holds its requests there. The node's view is read from
    /// <paramref name="cluster"/> under the node's lock, so two binders never both take the last room; a node the
    /// cluster state does not know is not checked (the API server decides).
    /// </summary>
    Reservation TryReserve(IClusterState cluster, string nodeName, string podNamespace, string podName, string podUid, ResourceList requests);

    /// <summary>Marks the pod's entry on the node as bound (adding it when a concurrent failure released it).</summary>
    void Commit(string nodeName, string podNamespace, string podName, string podUid, ResourceList requests);

    /// <summary>Drops the pod's entry on the node (the bind failed).</summary>
    void Release(string nodeName, string podNamespace, string podName);
}
