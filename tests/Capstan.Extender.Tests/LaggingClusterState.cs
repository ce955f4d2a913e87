using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;

namespace Capstan.Extender.Tests;

/// <summary>A cluster cache that never sees the binds: only the ledger can keep a node from being overcommitted.</summary>
internal sealed class LaggingClusterState(params NodeView[] nodes) : IClusterState
{
    private readonly ClusterChangeFeed _changes = new();
    private readonly Dictionary<string, NodeView> _nodes = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);

    public bool IsSynced { get; set; } = true;

    public IReadOnlyList<NodeView> Nodes() => [.. _nodes.Values];

    public NodeView? FindNode(string name) => _nodes.TryGetValue(name, out var node) ? node : null;

    public IReadOnlyList<Provisioner> Provisioners() => [];

    public IReadOnlyList<PodRequest> PendingPods() => [];

    public string? NodeOf(string podNamespace, string podName) => null;

    public PodRequest? FindPod(string podNamespace, string podName) => null;

    public IReadOnlyList<PodView> PendingPodViews() => [];

    public PodView? FindPodView(string podNamespace, string podName) => null;

    public IReadOnlyList<NodeTemplate> NodeTemplates() => [];

    public IReadOnlyList<PodRequest> DaemonSetPods() => [];

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels() =>
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    public IReadOnlyList<DisruptionBudget> DisruptionBudgets() => [];

    public ClusterSubscription Subscribe(Func<ClusterChange, bool>? filter = null) => _changes.Subscribe(filter);
}
