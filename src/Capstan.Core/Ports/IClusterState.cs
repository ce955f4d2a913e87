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
}
