using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Capstan.Core.Cluster;
using Capstan.Core.Ports;
using Capstan.Core.Resources;

namespace Capstan.Core.Placement;

/// <summary>
/// What Capstan has placed on each node that the cluster cache may not show yet: pods it is binding or
/// has bound. Free capacity is the node's allocatable, minus the pods the cache shows, minus the ledger
/// entries the cache does not show yet.
/// </summary>
/// <remarks>
/// <para>Reads (filter, prioritize) are lock-free: each node's entries are an immutable array swapped on
/// write. Writes (bind) take a lock per node, so binds onto different nodes never contend.</para>
/// <para><see cref="TryReserve"/> reads the node from the cluster cache <em>inside</em> that lock. Reading it
/// before could pair an old node view (without a pod) with a ledger already pruned of that pod (because a
/// newer view showed it), and count the pod nowhere; inside the lock the views only move forward.</para>
/// <para>An entry stops counting once the cache shows the pod on the node, or after
/// <see cref="EntryTtl"/>; it is removed at the next write on that node.</para>
/// </remarks>
public sealed class PlacementLedger : IPlacementLedger
{
    private static readonly LedgerEntry[] s_none = [];

    private readonly ConcurrentDictionary<string, LedgerNode> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _boundPods = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<NodeView, ResourceList> _free = new();
    private readonly TimeProvider _timeProvider;
    private int _holders;

    public PlacementLedger(TimeProvider timeProvider, TimeSpan entryTtl)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(entryTtl, TimeSpan.Zero);
        _timeProvider = timeProvider;
        EntryTtl = entryTtl;
    }

    public TimeSpan EntryTtl { get; }

    public IReadOnlyList<LedgerEntry> EntriesFor(string nodeName) => Snapshot(nodeName);

    /// <summary>Total number of entries, for metrics and tests.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var node in _nodes.Values)
            {
                count += node.Entries.Length;
            }

            return count;
        }
    }

    /// <summary>The node Capstan bound the pod to, while that entry is still held.</summary>
    public string? BoundNodeOf(string podNamespace, string podName) =>
        _boundPods.TryGetValue(PodKey(podNamespace, podName), out var node) ? node : null;

    /// <summary>
    /// Allocatable minus the requests of the pods the cache shows on the node. Cached per
    /// <see cref="NodeView"/> instance (views are immutable), so a cache that keeps its views pays once.
    /// </summary>
    public ResourceList CacheFree(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return _free.GetValue(node, static n => n.Allocatable.Subtract(n.Requested()));
    }

    /// <summary>What is left of one resource on the node, counting the ledger entries the view does not show.</summary>
    public long RemainingMilli(NodeView node, string resource)
    {
        ArgumentNullException.ThrowIfNull(node);
        var entries = Snapshot(node.Name);
        var free = CacheFree(node).Get(resource).MilliValue;
        return entries.Length == 0 ? free : free - Outstanding(entries, node, resource);
    }

    /// <summary>The first resource of the demand that the node cannot hold, or null when the pod fits.</summary>
    public string? FirstShortfall(NodeView node, PodDemand demand)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(demand);
        return FirstShortfall(node, demand, Snapshot(node.Name));
    }

    /// <summary>
    /// Atomically checks that the pod fits on the node (as the cluster cache shows it now, plus the ledger)
    /// and holds its requests there. A node unknown to the cache is not checked: the API server decides.
    /// </summary>
    public Reservation TryReserve(IClusterState cluster, string nodeName, string podNamespace, string podName, string podUid, ResourceList requests)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(requests);
        var entries = HolderOf(nodeName);
        lock (entries.Gate)
        {
            var view = cluster.FindNode(nodeName);
            var live = Prune(entries, view, nodeName);
            foreach (var entry in live)
            {
                if (entry.IsPod(podNamespace, podName))
                {
                    return Reservation.AlreadyHeld;
                }
            }

            if (view is not null && FirstShortfall(view, PodDemand.Of(requests), live) is { } resource)
            {
                return Reservation.NoRoom(resource);
            }

            entries.Entries = [.. live, new LedgerEntry(podNamespace, podName, podUid, requests, _timeProvider.GetTimestamp(), Bound: false)];
            return Reservation.Reserved;
        }
    }

    /// <summary>Marks the pod's entry on the node as bound (adding it when a concurrent failure released it).</summary>
    public void Commit(string nodeName, string podNamespace, string podName, string podUid, ResourceList requests)
    {
        var entries = HolderOf(nodeName);
        lock (entries.Gate)
        {
            var bound = new LedgerEntry(podNamespace, podName, podUid, requests, _timeProvider.GetTimestamp(), Bound: true);
            var current = entries.Entries;
            var index = Array.FindIndex(current, e => e.IsPod(podNamespace, podName));
            if (index >= 0)
            {
                var copy = (LedgerEntry[])current.Clone();
                copy[index] = bound with { Requests = current[index].Requests };
                entries.Entries = copy;
            }
            else
            {
                entries.Entries = [.. current, bound];
            }

            _boundPods[PodKey(podNamespace, podName)] = nodeName;
        }
    }

    /// <summary>Drops the pod's entry on the node (the bind failed).</summary>
    public void Release(string nodeName, string podNamespace, string podName)
    {
        if (!_nodes.TryGetValue(nodeName, out var entries))
        {
            return;
        }

        lock (entries.Gate)
        {
            entries.Entries = Array.FindAll(entries.Entries, e => !e.IsPod(podNamespace, podName));
        }
    }

    public int NodeVersion => Volatile.Read(ref _holders);

    public LedgerNode? FindNode(string nodeName) => _nodes.TryGetValue(nodeName, out var entries) ? entries : null;

    public IReadOnlyList<LedgerEntry> Unseen(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var entries = Snapshot(node.Name);
        if (entries.Length == 0)
        {
            return s_none;
        }

        var unseen = new List<LedgerEntry>(entries.Length);
        foreach (var entry in entries)
        {
            if (!IsExpired(entry) && !IsVisible(node, entry))
            {
                unseen.Add(entry);
            }
        }

        return unseen;
    }

    public long Outstanding(LedgerEntry[] entries, NodeView node, string resource)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(node);
        long sum = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            if (!IsExpired(entry) && !IsVisible(node, entry))
            {
                sum += entry.Requests.Get(resource).MilliValue;
            }
        }

        return sum;
    }

    private string? FirstShortfall(NodeView node, PodDemand demand, LedgerEntry[] entries)
    {
        var free = CacheFree(node);
        var names = demand.Names;
        var milli = demand.Milli;
        for (var i = 0; i < names.Length; i++)
        {
            var remaining = free.Get(names[i]).MilliValue;
            if (entries.Length > 0)
            {
                remaining -= Outstanding(entries, node, names[i]);
            }

            if (remaining < milli[i])
            {
                return names[i];
            }
        }

        return null;
    }

    private LedgerNode HolderOf(string nodeName)
    {
        if (_nodes.TryGetValue(nodeName, out var entries))
        {
            return entries;
        }

        entries = _nodes.GetOrAdd(nodeName, static _ => new LedgerNode());
        Interlocked.Increment(ref _holders);
        return entries;
    }

    private LedgerEntry[] Snapshot(string nodeName) => _nodes.TryGetValue(nodeName, out var node) ? node.Entries : s_none;

    private LedgerEntry[] Prune(LedgerNode entries, NodeView? view, string nodeName)
    {
        var current = entries.Entries;
        var keep = 0;
        foreach (var entry in current)
        {
            if (!IsStale(entry, view))
            {
                keep++;
            }
        }

        if (keep == current.Length)
        {
            return current;
        }

        var live = new LedgerEntry[keep];
        var j = 0;
        foreach (var entry in current)
        {
            if (!IsStale(entry, view))
            {
                live[j++] = entry;
            }
            else if (entry.Bound)
            {
                _boundPods.TryRemove(KeyValuePair.Create(PodKey(entry.Namespace, entry.Name), nodeName));
            }
        }

        entries.Entries = live;
        return live;
    }

    private bool IsStale(LedgerEntry entry, NodeView? view) => IsExpired(entry) || (view is not null && IsVisible(view, entry));

    private bool IsExpired(LedgerEntry entry) => _timeProvider.GetElapsedTime(entry.Timestamp) > EntryTtl;

    private static bool IsVisible(NodeView node, LedgerEntry entry)
    {
        var pods = node.Pods;
        for (var i = 0; i < pods.Count; i++)
        {
            if (entry.IsPod(pods[i].Namespace, pods[i].Name))
            {
                return true;
            }
        }

        return false;
    }

    private static string PodKey(string podNamespace, string podName) => podNamespace + "/" + podName;
}
