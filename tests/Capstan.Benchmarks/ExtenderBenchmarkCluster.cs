using System.Text;
using System.Text.Json.Nodes;
using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Benchmarks;

/// <summary>
/// A cluster cache as the informer-fed one behaves: nodes in a dictionary of <see cref="NodeSlot"/>s, each
/// holding an immutable view that is replaced (not rebuilt) on change. Every node carries eight pods; every tenth is being drained and
/// every seventh is full, so filter has something to remove. Deterministic.
/// </summary>
internal sealed class ExtenderBenchmarkCluster : IClusterState, IClusterWriter
{
    private readonly ClusterChangeFeed _changes = new();
    private readonly Dictionary<string, NodeSlot> _nodes;

    public ExtenderBenchmarkCluster(int nodeCount)
    {
        _nodes = new Dictionary<string, NodeSlot>(nodeCount, StringComparer.Ordinal);
        for (var i = 0; i < nodeCount; i++)
        {
            var name = $"ip-10-0-{i / 250}-{i % 250}.ec2.internal";
            var podCpu = i % 7 == 0 ? "1950m" : "250m";
            var pods = new List<PodRequest>(8);
            for (var p = 0; p < 8; p++)
            {
                pods.Add(new PodRequest
                {
                    Namespace = "apps",
                    Name = $"{name}-pod-{p}",
                    Requests = ResourceList.Of("cpu", podCpu, "memory", "512Mi", "pods", "1"),
                });
            }

            _nodes[name] = new NodeSlot(new NodeView
            {
                Name = name,
                Labels = new Dictionary<string, string> { ["karpenter.sh/provisioner-name"] = "default", ["kubernetes.io/hostname"] = name },
                Allocatable = ResourceList.Of("cpu", "15890m", "memory", "57Gi", "pods", "110"),
                Capacity = ResourceList.Of("cpu", "16", "memory", "64Gi", "pods", "110"),
                Pods = pods,
                PricePerHour = 0.68 + (i % 5 * 0.05),
                DisruptionCandidate = i % 10 == 3,
            });
        }

        NodeNames = [.. _nodes.Keys];
    }

    public IReadOnlyList<string> NodeNames { get; }

    public bool IsSynced => true;

    /// <summary>The body kube-scheduler sends with nodeCacheCapable: true for every node of the cluster.</summary>
    public byte[] ArgsBody(string podName = "web-7f9c6d-x2k8p")
    {
        var pod = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = podName,
                ["namespace"] = "apps",
                ["uid"] = "5f0c2c1e-8a8b-4a53-9d0e-2b1f6f3e9a11",
                ["labels"] = new JsonObject { ["app"] = "web" },
                ["creationTimestamp"] = "2025-03-14T09:26:53Z",
            },
            ["spec"] = new JsonObject
            {
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "web",
                    ["image"] = "registry.example.com/web:1.4.2",
                    ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "500m", ["memory"] = "1Gi" } },
                }),
                ["schedulerName"] = "default-scheduler",
                ["tolerations"] = new JsonArray(new JsonObject { ["key"] = "node.kubernetes.io/not-ready", ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 }),
            },
            ["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "Burstable" },
        };
        var args = new JsonObject { ["Pod"] = pod, ["Nodes"] = null, [nameof(NodeNames)] = new JsonArray([.. NodeNames.Select(n => (JsonNode)n)]) };
        return Encoding.UTF8.GetBytes(args.ToJsonString());
    }

    public IReadOnlyList<NodeView> Nodes() => [.. _nodes.Values.Select(slot => slot.View!)];

    public NodeView? FindNode(string name) => _nodes.TryGetValue(name, out var slot) ? slot.View : null;

    public NodeSlot? FindSlot(string name) => _nodes.TryGetValue(name, out var slot) ? slot : null;

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

    public Task BindAsync(string podNamespace, string podName, string podUid, string nodeName, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CreateNodeAsync(NodeView node, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CordonAsync(string nodeName, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> EvictAsync(string podNamespace, string podName, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task DeleteNodeAsync(string nodeName, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> UncordonAsync(string nodeName, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task DeletePodAsync(string podNamespace, string podName, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> AddNodeFinalizerAsync(string nodeName, string finalizer, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> RemoveNodeFinalizerAsync(string nodeName, string finalizer, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> SetNodeLabelsAsync(string nodeName, IReadOnlyDictionary<string, string?> labels, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> SetNodeAnnotationsAsync(string nodeName, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> AddNodeTaintAsync(string nodeName, Taint taint, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> RemoveNodeTaintAsync(string nodeName, string key, TaintEffect effect, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> PatchProvisionerStatusAsync(string provisionerName, ResourceList resources, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task RecordEventAsync(ClusterEvent clusterEvent, CancellationToken cancellationToken) => Task.CompletedTask;
}
