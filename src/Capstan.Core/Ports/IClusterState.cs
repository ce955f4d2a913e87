using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Provisioning;

namespace Capstan.Core.Ports;

/// <summary>Read side of the cluster, fed by watches (production) or held in memory (sandbox, tests).</summary>
public interface IClusterState
{
    /// <summary>True once the caches have listed everything; answers before that would be guesses.</summary>
    bool IsSynced { get; }

    IReadOnlyList<NodeView> Nodes();

    NodeView? FindNode(string name);

    /// <summary>
    /// The node's live <see cref="NodeSlot"/>, for callers that read the same nodes again and again (the
    /// extender, per request); null when the node is unknown or the cache keeps no slots, and then
    /// <see cref="FindNode"/> is the way.
    /// </summary>
    NodeSlot? FindSlot(string name) => null;

    IReadOnlyList<Provisioner> Provisioners();

    /// <summary>Pods not bound to any node.</summary>
    IReadOnlyList<PodRequest> PendingPods();

    /// <summary>The node a pod is bound to, or null when it is pending or unknown.</summary>
    string? NodeOf(string podNamespace, string podName);

    PodRequest? FindPod(string podNamespace, string podName);

    /// <summary>The same pods as <see cref="PendingPods"/>, with their lifecycle (scheduling condition, owner, nomination, deletion).</summary>
    IReadOnlyList<PodView> PendingPodViews();

    /// <summary>A live pod (bound or not) with its lifecycle, or null when unknown.</summary>
    PodView? FindPodView(string podNamespace, string podName);

    /// <summary>The <c>AWSNodeTemplate</c>s, by name.</summary>
    IReadOnlyList<NodeTemplate> NodeTemplates();

    /// <summary>The pod template of every DaemonSet (named as its DaemonSet), whose requests are overhead on a new node.</summary>
    IReadOnlyList<PodRequest> DaemonSetPods();

    /// <summary>Every namespace's labels, by namespace name (for pod affinity namespace selectors).</summary>
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels();

    IReadOnlyList<DisruptionBudget> DisruptionBudgets();

    /// <summary>
    /// Subscribes to changes (see <see cref="ClusterChangeFeed.Subscribe"/>): pods, nodes and the other kinds added,
    /// updated (in a way their views show) or deleted, including the differences a re-list finds. Subscribe, then read
    /// the state: every later change is delivered. Delivery never blocks the cluster state's watches.
    /// </summary>
    ClusterSubscription Subscribe(Func<ClusterChange, bool>? filter = null);
}
