using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;

namespace Capstan.Core.Tests.Placement;

/// <summary>A cluster state that shows exactly the node views a test sets: it moves forward only when told.</summary>
internal sealed class ViewClusterState(params NodeView[] nodes) : IClusterState
{
    private readonly Dictionary<string, NodeView> _nodes = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);

    public bool IsSynced => true;

    public void Show(NodeView node) => _nodes[node.Name] = node;

    public IReadOnlyList<NodeView> Nodes() => [.. _nodes.Values];

    public NodeView? FindNode(string name) => _nodes.TryGetValue(name, out var node) ? node : null;

    public IReadOnlyList<Provisioner> Provisioners() => [];

    public IReadOnlyList<PodRequest> PendingPods() => [];

    public string? NodeOf(string podNamespace, string podName) => null;

    public PodRequest? FindPod(string podNamespace, string podName) => null;
}
