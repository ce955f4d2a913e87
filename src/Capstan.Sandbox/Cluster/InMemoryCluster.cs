using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Sandbox.Cluster;

/// <summary>
/// A whole cluster held in memory: nodes, pods (pending or bound, with their lifecycle), provisioners, node
/// templates, daemonsets, namespaces and disruption budgets. It implements both cluster ports, so the sandbox and
/// the tests run the real extender, webhook and controllers on it.
/// </summary>
/// <remarks>
/// Like the watch-fed cache, it keeps one immutable <see cref="NodeView"/> per node (its pods included) in a
/// <see cref="NodeSlot"/>, and replaces it only when that node or its pods' requests change; and, like it, it
/// publishes every change a view shows (by <see cref="ValueEquality"/>) to its subscribers.
/// </remarks>
public sealed class InMemoryCluster : IClusterState, IClusterWriter
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, NodeView> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeSlot> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodView> _pods = new(StringComparer.Ordinal);

    // The keys of the pods bound to each node, so that a node's view is rebuilt from its own pods.
    private readonly Dictionary<string, HashSet<string>> _podsOfNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Provisioner> _provisioners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeTemplate> _nodeTemplates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodRequest> _daemonSets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _namespaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DisruptionBudget> _budgets = new(StringComparer.Ordinal);
    private readonly ClusterChangeFeed _feed = new();
    private readonly HashSet<string> _evictionBlocked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceList> _provisionerStatus = new(StringComparer.Ordinal);
    private readonly List<ClusterEvent> _events = [];

    public bool IsSynced => true;

    /// <summary>How many Binding calls reached the cluster (retries included).</summary>
    public int BindCalls { get; private set; }

    public ClusterSubscription Subscribe(Func<ClusterChange, bool>? filter = null) => _feed.Subscribe(filter);

    public void UpsertProvisioner(Provisioner provisioner)
    {
        ArgumentNullException.ThrowIfNull(provisioner);
        lock (_gate)
        {
            Upsert(_provisioners, ClusterObjectKind.Provisioner, provisioner.Name, provisioner);
        }
    }

    public void DeleteProvisioner(string name)
    {
        lock (_gate)
        {
            Delete(_provisioners, ClusterObjectKind.Provisioner, name);
        }
    }

    /// <summary>Adds or replaces an AWSNodeTemplate (by <see cref="NodeTemplate.Name"/>, which it must have).</summary>
    public void UpsertNodeTemplate(NodeTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentException.ThrowIfNullOrEmpty(template.Name);
        lock (_gate)
        {
            Upsert(_nodeTemplates, ClusterObjectKind.NodeTemplate, template.Name, template);
        }
    }

    public void DeleteNodeTemplate(string name)
    {
        lock (_gate)
        {
            Delete(_nodeTemplates, ClusterObjectKind.NodeTemplate, name);
        }
    }

    /// <summary>Adds or replaces a DaemonSet, given as its pod template named (namespace, name) as the DaemonSet.</summary>
    public void UpsertDaemonSet(PodRequest template)
    {
        ArgumentNullException.ThrowIfNull(template);
        lock (_gate)
        {
            Upsert(_daemonSets, ClusterObjectKind.DaemonSet, template.Key, template);
        }
    }

    public void DeleteDaemonSet(string daemonSetNamespace, string name)
    {
        lock (_gate)
        {
            Delete(_daemonSets, ClusterObjectKind.DaemonSet, Key(daemonSetNamespace, name));
        }
    }

    public void UpsertNamespace(string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        lock (_gate)
        {
            Upsert(_namespaces, ClusterObjectKind.Namespace, name,
                labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels.ToDictionary(), StringComparer.Ordinal));
        }
    }

    public void DeleteNamespace(string name)
    {
        lock (_gate)
        {
            Delete(_namespaces, ClusterObjectKind.Namespace, name);
        }
    }

    public void UpsertDisruptionBudget(DisruptionBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        lock (_gate)
        {
            Upsert(_budgets, ClusterObjectKind.DisruptionBudget, budget.Key, budget);
        }
    }

    public void DeleteDisruptionBudget(string budgetNamespace, string name)
    {
        lock (_gate)
        {
            Delete(_budgets, ClusterObjectKind.DisruptionBudget, Key(budgetNamespace, name));
        }
    }

    public void UpsertNode(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_gate)
        {
            var fresh = node with { Pods = [] };
            if (_nodes.TryGetValue(node.Name, out var current) && ValueEquality.AreEqual(current, fresh))
            {
                return;
            }

            var previous = _slots.GetValueOrDefault(node.Name)?.View;
            _nodes[node.Name] = fresh;
            Refresh(node.Name);
            _feed.Publish(ClusterChange.ForNode(previous, _slots[node.Name].View));
        }
    }

    /// <summary>Adds a pod, pending unless a node is given.</summary>
    public void AddPod(PodRequest pod, string? nodeName = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        UpsertPod(new PodView { Request = pod, NodeName = nodeName, Phase = nodeName is null ? "Pending" : "Running" });
    }

    /// <summary>Adds or replaces a pod with its lifecycle (bound to <see cref="PodView.NodeName"/> when set).</summary>
    public void UpsertPod(PodView pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        lock (_gate)
        {
            var existed = _pods.TryGetValue(pod.Key, out var current);
            if (existed && ValueEquality.AreEqual(current, pod))
            {
                return;
            }

            StorePod(pod.Key, current, pod);
            if (!existed || current!.NodeName != pod.NodeName || !ValueEquality.AreEqual(current.Request, pod.Request))
            {
                Refresh(current?.NodeName);
                Refresh(pod.NodeName);
            }

            _feed.Publish(ClusterChange.ForPod(current, pod));
        }
    }

    public bool RemovePod(string podNamespace, string podName)
    {
        lock (_gate)
        {
            return RemovePodLocked(Key(podNamespace, podName));
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

    public IReadOnlyList<PodRequest> PendingPods() => [.. PendingPodViews().Select(p => p.Request)];

    public IReadOnlyList<PodView> PendingPodViews()
    {
        lock (_gate)
        {
            return [.. _pods.Values.Where(p => p.NodeName is null).OrderBy(p => p.Request.CreationOrder).ThenBy(p => p.Key, StringComparer.Ordinal)];
        }
    }

    public string? NodeOf(string podNamespace, string podName) => FindPodView(podNamespace, podName)?.NodeName;

    public PodRequest? FindPod(string podNamespace, string podName) => FindPodView(podNamespace, podName)?.Request;

    public PodView? FindPodView(string podNamespace, string podName)
    {
        lock (_gate)
        {
            return _pods.GetValueOrDefault(Key(podNamespace, podName));
        }
    }

    public IReadOnlyList<NodeTemplate> NodeTemplates() => Sorted(_nodeTemplates);

    public IReadOnlyList<PodRequest> DaemonSetPods() => Sorted(_daemonSets);

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels()
    {
        lock (_gate)
        {
            return new Dictionary<string, IReadOnlyDictionary<string, string>>(_namespaces, StringComparer.Ordinal);
        }
    }

    public IReadOnlyList<DisruptionBudget> DisruptionBudgets() => Sorted(_budgets);

    public Task BindAsync(string podNamespace, string podName, string podUid, string nodeName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            BindCalls++;
            var key = Key(podNamespace, podName);
            if (!_pods.TryGetValue(key, out var pod) || (podUid.Length > 0 && pod.Request.Uid.Length > 0 && pod.Request.Uid != podUid))
            {
                throw new BindingConflictException($"pod {key} not found");
            }

            if (!_nodes.ContainsKey(nodeName))
            {
                throw new BindingConflictException($"node {nodeName} not found");
            }

            if (pod.NodeName is not null && pod.NodeName != nodeName)
            {
                throw new BindingConflictException($"pod {key} is already bound to node {pod.NodeName}");
            }

            if (pod.NodeName is null)
            {
                // The Binding API sets spec.nodeName and the PodScheduled condition to True.
                var bound = pod with { NodeName = nodeName, ScheduledStatus = "True", ScheduledReason = null };
                StorePod(key, pod, bound);
                Refresh(nodeName);
                _feed.Publish(ClusterChange.ForPod(pod, bound));
            }
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
            if (_nodes.TryGetValue(nodeName, out var node) && !node.Unschedulable)
            {
                var previous = _slots[nodeName].View;
                _nodes[nodeName] = node with { Unschedulable = true };
                Refresh(nodeName);
                _feed.Publish(ClusterChange.ForNode(previous, _slots[nodeName].View));
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

            RemovePodLocked(key);
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
        Task.FromResult(ChangeNode(nodeName, node =>
        {
            var merged = Merged(node.Labels, labels);
            // As the Kubernetes adapter derives it: a provisioned node is in flight until it is labelled initialized.
            return node with { Labels = merged, InFlight = merged.ContainsKey(Labels.ProvisionerName) && !merged.ContainsKey(Labels.Initialized) };
        }));

    public Task<bool> SetNodeAnnotationsAsync(string nodeName, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken) =>
        Task.FromResult(ChangeNode(nodeName, node =>
        {
            var merged = Merged(node.Annotations, annotations);
            // As the Kubernetes adapter derives it from the annotation.
            return node with { Annotations = merged, DisruptionCandidate = merged.ContainsKey(Labels.DisruptionAnnotation) };
        }));

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
        foreach (var (key, pod) in _pods.ToList())
        {
            if (pod.NodeName == nodeName)
            {
                StorePod(key, pod, null);
                _feed.Publish(ClusterChange.ForPod(pod, null));
            }
        }

        _nodes.Remove(nodeName);
        if (_slots.Remove(nodeName, out var slot))
        {
            var previous = slot.View;
            slot.Clear();
            _feed.Publish(ClusterChange.ForNode(previous, null));
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
        node with
        {
            Pods = _podsOfNode.TryGetValue(node.Name, out var keys)
                ? [.. keys.Select(k => _pods[k].Request).OrderBy(p => p.Key, StringComparer.Ordinal)]
                : [],
        };

    /// <summary>Replaces (or, with null, removes) a pod, keeping the per-node index in step.</summary>
    private void StorePod(string key, PodView? previous, PodView? pod)
    {
        if (previous?.NodeName is { } before && before != pod?.NodeName && _podsOfNode.TryGetValue(before, out var was))
        {
            was.Remove(key);
        }

        if (pod is null)
        {
            _pods.Remove(key);
            return;
        }

        _pods[key] = pod;
        if (pod.NodeName is { } after)
        {
            if (!_podsOfNode.TryGetValue(after, out var keys))
            {
                _podsOfNode[after] = keys = new HashSet<string>(StringComparer.Ordinal);
            }

            keys.Add(key);
        }
    }

    /// <summary>Removes a pod (under the lock) and says so; false when there was none.</summary>
    private bool RemovePodLocked(string key)
    {
        if (!_pods.TryGetValue(key, out var pod))
        {
            return false;
        }

        StorePod(key, pod, null);
        Refresh(pod.NodeName);
        _feed.Publish(ClusterChange.ForPod(pod, null));
        return true;
    }

    /// <summary>Stores an object of one of the plain kinds (under the lock) and publishes the change, if it is one.</summary>
    private void Upsert<T>(Dictionary<string, T> items, ClusterObjectKind kind, string key, T item)
        where T : class
    {
        var existed = items.TryGetValue(key, out var current);
        if (existed && ValueEquality.AreEqual(current, item))
        {
            return;
        }

        items[key] = item;
        _feed.Publish(ClusterChange.Of(kind, existed ? ClusterChangeType.Updated : ClusterChangeType.Added, key));
    }

    private void Delete<T>(Dictionary<string, T> items, ClusterObjectKind kind, string key)
    {
        if (items.Remove(key))
        {
            _feed.Publish(ClusterChange.Of(kind, ClusterChangeType.Deleted, key));
        }
    }

    private IReadOnlyList<T> Sorted<T>(Dictionary<string, T> items)
    {
        lock (_gate)
        {
            return [.. items.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => i.Value)];
        }
    }

    private static string Key(string podNamespace, string podName) => podNamespace + "/" + podName;
}
