using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Sandbox.Cluster;

/// <summary>
/// A whole cluster held in memory: nodes, pods (pending or bound) and provisioners. It implements both
/// cluster ports, so the sandbox and the tests run the real extender, webhook and controllers on it.
/// </summary>
/// <remarks>
/// Like the watch-fed cache, it keeps one immutable <see cref="NodeView"/> per node (its pods included) in a
/// <see cref="NodeSlot"/>, and replaces it only when that node or its pods change.
/// </remarks>
public sealed class InMemoryCluster : IClusterState, IClusterWriter
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, NodeView> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeSlot> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (PodRequest Pod, string? Node)> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Provisioner> _provisioners = new(StringComparer.Ordinal);
    private readonly HashSet<string> _evictionBlocked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceList> _provisionerStatus = new(StringComparer.Ordinal);
    private readonly List<ClusterEvent> _events = [];

    public bool IsSynced => true;

    /// <summary>How many Binding calls reached the cluster (retries included).</summary>
    public int BindCalls { get; private set; }

    public void UpsertProvisioner(Provisioner provisioner)
    {
        ArgumentNullException.ThrowIfNull(provisioner);
        lock (_gate)
        {
            _provisioners[provisioner.Name] = provisioner;
        }
    }

    public void DeleteProvisioner(string name)
    {
        lock (_gate)
        {
            _provisioners.Remove(name);
        }
    }

    public void UpsertNode(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_gate)
        {
            _nodes[node.Name] = node with { Pods = [] };
            Refresh(node.Name);
        }
    }

    /// <summary>Adds a pod, pending unless a node is given.</summary>
    public void AddPod(PodRequest pod, string? nodeName = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        lock (_gate)
        {
            var previous = _pods.TryGetValue(pod.Key, out var entry) ? entry.Node : null;
            _pods[pod.Key] = (pod, nodeName);
            Refresh(previous);
            Refresh(nodeName);
        }
    }

    public bool RemovePod(string podNamespace, string podName)
    {
        lock (_gate)
        {
            if (!_pods.Remove(Key(podNamespace, podName), out var entry))
            {
                return false;
            }

            Refresh(entry.Node);
            return true;
        }
    }

    /// <summary>Makes evictions of this pod fail, as a PodDisruptionBudget would.</summary>
    public void BlockEviction(string podNamespace, string podName)
    {
        lock (_gate)
        {
            _evictionBlocked.Add(Key(podNamespace, podName));
        }
    }

    /// <summary>The Events recorded, oldest first.</summary>
    public IReadOnlyList<ClusterEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>The provisioner's <c>status.resources</c> as last written, or null.</summary>
    public ResourceList? ProvisionerStatus(string name)
    {
        lock (_gate)
        {
            return _provisionerStatus.GetValueOrDefault(name);
        }
    }

    public IReadOnlyList<NodeView> Nodes()
    {
        lock (_gate)
        {
            return [.. _slots.Values.Select(slot => slot.View!).OrderBy(n => n.Name, StringComparer.Ordinal)];
        }
    }

    public NodeView? FindNode(string name)
    {
        lock (_gate)
        {
            return _slots.TryGetValue(name, out var slot) ? slot.View : null;
        }
    }

    public NodeSlot? FindSlot(string name)
    {
        lock (_gate)
        {
            return _slots.GetValueOrDefault(name);
        }
    }

    public IReadOnlyList<Provisioner> Provisioners()
    {
        lock (_gate)
        {
            return [.. _provisioners.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<PodRequest> PendingPods()
    {
        lock (_gate)
        {
            return [.. _pods.Values.Where(p => p.Node is null).Select(p => p.Pod).OrderBy(p => p.CreationOrder).ThenBy(p => p.Key, StringComparer.Ordinal)];
        }
    }

    public string? NodeOf(string podNamespace, string podName)
    {
        lock (_gate)
        {
            return _pods.TryGetValue(Key(podNamespace, podName), out var entry) ? entry.Node : null;
        }
    }

    public PodRequest? FindPod(string podNamespace, string podName)
    {
        lock (_gate)
        {
            return _pods.TryGetValue(Key(podNamespace, podName), out var entry) ? entry.Pod : null;
        }
    }

    public Task BindAsync(string podNamespace, string podName, string podUid, string nodeName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            BindCalls++;
            var key = Key(podNamespace, podName);
            if (!_pods.TryGetValue(key, out var entry) || (podUid.Length > 0 && entry.Pod.Uid.Length > 0 && entry.Pod.Uid != podUid))
            {
                throw new BindingConflictException($"pod {key} not found");
            }

            if (!_nodes.ContainsKey(nodeName))
            {
                throw new BindingConflictException($"node {nodeName} not found");
            }

            if (entry.Node is not null && entry.Node != nodeName)
            {
                throw new BindingConflictException($"pod {key} is already bound to node {entry.Node}");
            }

            _pods[key] = (entry.Pod, nodeName);
            Refresh(nodeName);
        }

        return Task.CompletedTask;
    }

    public Task CreateNodeAsync(NodeView node, CancellationToken cancellationToken)
    {
        UpsertNode(node);
        return Task.CompletedTask;
    }

    public Task CordonAsync(string nodeName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(nodeName, out var node))
            {
                _nodes[nodeName] = node with { Unschedulable = true };
                Refresh(nodeName);
            }
        }

        return Task.CompletedTask;
    }

    public Task<bool> EvictAsync(string podNamespace, string podName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var key = Key(podNamespace, podName);
            if (_evictionBlocked.Contains(key))
            {
                return Task.FromResult(false);
            }

            if (_pods.Remove(key, out var entry))
            {
                Refresh(entry.Node);
            }

            return Task.FromResult(true);
        }
    }

    /// <summary>Deletes the node and its pods; with finalizers it is only marked for deletion until they are removed.</summary>
    public Task DeleteNodeAsync(string nodeName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(nodeName, out var node) && node.Finalizers.Count > 0)
            {
                _nodes[nodeName] = node with { MarkedForDeletion = true };
                Refresh(nodeName);
            }
            else
            {
                RemoveNodeLocked(nodeName);
            }
        }

        return Task.CompletedTask;
    }

    public Task<bool> UncordonAsync(string nodeName, CancellationToken cancellationToken) =>
        Task.FromResult(ChangeNode(nodeName, node => node with { Unschedulable = false }));

    public Task DeletePodAsync(string podNamespace, string podName, CancellationToken cancellationToken)
    {
        RemovePod(podNamespace, podName);
        return Task.CompletedTask;
    }

    public Task<bool> AddNodeFinalizerAsync(string nodeName, string finalizer, CancellationToken cancellationToken) =>
        Task.FromResult(ChangeNode(nodeName, node => node.Finalizers.Contains(finalizer, StringComparer.Ordinal)
            ? node
            : node.MarkedForDeletion
                ? throw new InvalidOperationException($"node {nodeName} is being deleted: no new finalizers can be added")
                : node with { Finalizers = [.. node.Finalizers, finalizer] }));

    public Task<bool> RemoveNodeFinalizerAsync(string nodeName, string finalizer, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(nodeName, out var node))
            {
                var left = node.Finalizers.Where(f => f != finalizer).ToList();
                if (left.Count == 0 && node.MarkedForDeletion)
                {
                    RemoveNodeLocked(nodeName);
                }
                else
                {
                    _nodes[nodeName] = node with { Finalizers = left };
                    Refresh(nodeName);
                }
            }
        }

        return Task.FromResult(true);
    }

    public Task<bool> SetNodeLabelsAsync(string nodeName, IReadOnlyDictionary<string, string?> labels, CancellationToken cancellationToken) =>
        Task.FromResult(ChangeNode(nodeName, node => node with { Labels = Merged(node.Labels, labels) }));

    public Task<bool> SetNodeAnnotationsAsync(string nodeName, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken) =>
        Task.FromResult(ChangeNode(nodeName, node => node with { Annotations = Merged(node.Annotations, annotations) }));

    public Task<bool> AddNodeTaintAsync(string nodeName, Taint taint, CancellationToken cancellationToken) =>
        Task.FromResult(ChangeNode(nodeName, node => node with
        {
            Taints = [.. node.Taints.Where(t => t.Key != taint.Key || t.Effect != taint.Effect), taint],
        }));

    public Task<bool> RemoveNodeTaintAsync(string nodeName, string key, TaintEffect effect, CancellationToken cancellationToken) =>
        Task.FromResult(ChangeNode(nodeName, node => node with { Taints = [.. node.Taints.Where(t => t.Key != key || t.Effect != effect)] }));

    public Task<bool> PatchProvisionerStatusAsync(string provisionerName, ResourceList resources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        lock (_gate)
        {
            if (!_provisioners.ContainsKey(provisionerName))
            {
                return Task.FromResult(false);
            }

            _provisionerStatus[provisionerName] = resources;
            return Task.FromResult(true);
        }
    }

    public Task RecordEventAsync(ClusterEvent clusterEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clusterEvent);
        lock (_gate)
        {
            _events.Add(clusterEvent);
        }

        return Task.CompletedTask;
    }

    private bool ChangeNode(string nodeName, Func<NodeView, NodeView> change)
    {
        lock (_gate)
        {
            if (!_nodes.TryGetValue(nodeName, out var node))
            {
                return false;
            }

            _nodes[nodeName] = change(node);
            Refresh(nodeName);
            return true;
        }
    }

    private void RemoveNodeLocked(string nodeName)
    {
        _nodes.Remove(nodeName);
        if (_slots.Remove(nodeName, out var slot))
        {
            slot.Clear();
        }

        foreach (var (key, entry) in _pods.ToList())
        {
            if (entry.Node == nodeName)
            {
                _pods.Remove(key);
            }
        }
    }

    private static Dictionary<string, string> Merged(IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string?> changes)
    {
        var merged = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = value;
            }
        }

        return merged;
    }

    /// <summary>Publishes the node's view with its pods now (under the lock); nothing for no node or an unknown one.</summary>
    private void Refresh(string? nodeName)
    {
        if (nodeName is null || !_nodes.TryGetValue(nodeName, out var node))
        {
            return;
        }

        var view = WithPods(node);
        if (_slots.TryGetValue(nodeName, out var slot))
        {
            slot.Update(view);
        }
        else
        {
            _slots[nodeName] = new NodeSlot(view);
        }
    }

    private NodeView WithPods(NodeView node) =>
        node with { Pods = [.. _pods.Values.Where(p => p.Node == node.Name).Select(p => p.Pod).OrderBy(p => p.Key, StringComparer.Ordinal)] };

    private static string Key(string podNamespace, string podName) => podNamespace + "/" + podName;
}
