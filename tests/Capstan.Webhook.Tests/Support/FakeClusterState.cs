using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;

namespace Capstan.Webhook.Tests.Support;

/// <summary>A hand-written cluster state: provisioners and nodes set by the test.</summary>
public sealed class FakeClusterState : IClusterState
{
    private readonly ClusterChangeFeed _changes = new();

    public List<Provisioner> ProvisionerList { get; } = [];

    public List<NodeView> NodeList { get; } = [];

    public bool IsSynced => true;

    public IReadOnlyList<NodeView> Nodes() => [.. NodeList];

    public NodeView? FindNode(string name) => NodeList.Find(n => n.Name == name);

    public IReadOnlyList<Provisioner> Provisioners() => [.. ProvisionerList];

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
