using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;

namespace Capstan.Core.Tests;

/// <summary>A cluster state that shows exactly what a test sets: it moves forward only when told.</summary>
internal sealed class TestClusterState(params NodeView[] nodes) : IClusterState
{
    private readonly List<NodeView> _nodes = [.. nodes];
    private readonly ClusterChangeFeed _feed = new();

    public bool IsSynced => true;

    public List<Provisioner> ProvisionerList { get; } = [];

    /// <summary>Pods not bound to any node.</summary>
    public List<PodRequest> Pending { get; } = [];

    /// <summary>Shows a node's new view (or a new node).</summary>
    public void Show(NodeView node)
    {
        _nodes.RemoveAll(n => n.Name == node.Name);
        _nodes.Add(node);
    }

    public IReadOnlyList<NodeView> Nodes() => [.. _nodes];

    public NodeView? FindNode(string name) => _nodes.Find(n => n.Name == name);

    public IReadOnlyList<Provisioner> Provisioners() => [.. ProvisionerList];

    public IReadOnlyList<PodRequest> PendingPods() => [.. Pending];

    public string? NodeOf(string podNamespace, string podName) =>
        _nodes.Find(n => n.Pods.Any(p => p.Namespace == podNamespace && p.Name == podName))?.Name;

    public PodRequest? FindPod(string podNamespace, string podName) =>
        Pending.Concat(_nodes.SelectMany(n => n.Pods)).FirstOrDefault(p => p.Namespace == podNamespace && p.Name == podName);

    public IReadOnlyList<PodView> PendingPodViews() => [.. Pending.Select(p => new PodView { Request = p })];

    public PodView? FindPodView(string podNamespace, string podName) =>
        FindPod(podNamespace, podName) is { } pod ? new PodView { Request = pod, NodeName = NodeOf(podNamespace, podName) } : null;

    public IReadOnlyList<NodeTemplate> NodeTemplates() => [];

    public IReadOnlyList<PodRequest> DaemonSetPods() => [];

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels() => new Dictionary<string, IReadOnlyDictionary<string, string>>();

    public IReadOnlyList<DisruptionBudget> DisruptionBudgets() => [];

    public ClusterSubscription Subscribe(Func<ClusterChange, bool>? filter = null) => _feed.Subscribe(filter);
}
