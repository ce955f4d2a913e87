using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;

namespace Capstan.Webhook.Tests.Support;

/// <summary>A hand-written cluster state: provisioners and nodes set by the test.</summary>
public sealed class FakeClusterState : IClusterState
{
    public List<Provisioner> ProvisionerList { get; } = [];

    public List<NodeView> NodeList { get; } = [];

    public bool IsSynced => true;

    public IReadOnlyList<NodeView> Nodes() => [.. NodeList];

    public NodeView? FindNode(string name) => NodeList.Find(n => n.Name == name);

    public IReadOnlyList<Provisioner> Provisioners() => [.. ProvisionerList];

    public IReadOnlyList<PodRequest> PendingPods() => [];

    public string? NodeOf(string podNamespace, string podName) => null;

    public PodRequest? FindPod(string podNamespace, string podName) => null;
}
