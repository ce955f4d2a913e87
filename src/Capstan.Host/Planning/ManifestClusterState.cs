using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Capstan.Kubernetes.Manifests;

namespace Capstan.Host.Planning;

/// <summary>The cluster a set of manifests describes, as the read port: its pods pending, its nodes as given, in file order.</summary>
internal sealed class ManifestClusterState(ManifestSet manifests) : IClusterState
{
    private readonly Dictionary<string, NodeView> _nodes = manifests.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
    private readonly Dictionary<string, PodRequest> _pods = manifests.Pods.ToDictionary(p => p.Key, StringComparer.Ordinal);

    public bool IsSynced => true;

    public IReadOnlyList<NodeView> Nodes() => manifests.Nodes;

    public NodeView? FindNode(string name) => _nodes.GetValueOrDefault(name);

    public IReadOnlyList<Provisioner> Provisioners() => manifests.Provisioners;

    public IReadOnlyList<PodRequest> PendingPods() => manifests.Pods;

    public string? NodeOf(string podNamespace, string podName) => null;

    public PodRequest? FindPod(string podNamespace, string podName) => _pods.GetValueOrDefault(podNamespace + "/" + podName);

    public IReadOnlyList<PodView> PendingPodViews() => [.. manifests.Pods.Select(p => new PodView { Request = p })];

    public PodView? FindPodView(string podNamespace, string podName) =>
        FindPod(podNamespace, podName) is { } pod ? new PodView { Request = pod } : null;

    public IReadOnlyList<NodeTemplate> NodeTemplates() => manifests.NodeTemplates;

    public IReadOnlyList<PodRequest> DaemonSetPods() => manifests.DaemonSets;

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels() => manifests.NamespaceLabels;

    public IReadOnlyList<DisruptionBudget> DisruptionBudgets() => [];

    /// <summary>Manifests never change: a subscription that is never signalled.</summary>
    public ClusterSubscription Subscribe(Func<ClusterChange, bool>? filter = null) => new ClusterChangeFeed().Subscribe(filter);
}
