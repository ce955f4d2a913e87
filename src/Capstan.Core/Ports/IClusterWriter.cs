using Capstan.Core.Cluster;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Ports;

/// <summary>
/// Write side of the cluster: the calls controllers and the extender make to the API server. Every call is
/// idempotent (repeating one that succeeded is a success), so callers may repeat a call whose outcome they did not see.
/// The node calls that answer a bool answer false when the node does not exist.
/// </summary>
public interface IClusterWriter
{
    /// <summary>Creates the pod's Binding to the node (<c>POST pods/{name}/binding</c>).</summary>
    Task BindAsync(string podNamespace, string podName, string podUid, string nodeName, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the Node object for a launched instance (in flight until the kubelet registers), with its labels, taints,
    /// provider id, capacity, allocatable and finalizers. A Node of that name that already exists counts as created.
    /// </summary>
    Task CreateNodeAsync(NodeView node, CancellationToken cancellationToken);

    /// <summary>Marks the node unschedulable.</summary>
    Task CordonAsync(string nodeName, CancellationToken cancellationToken);

    /// <summary>Makes the node schedulable again.</summary>
    Task<bool> UncordonAsync(string nodeName, CancellationToken cancellationToken);

    /// <summary>Evicts a pod through the Eviction API; false when a disruption budget refused it.</summary>
    Task<bool> EvictAsync(string podNamespace, string podName, CancellationToken cancellationToken);

    /// <summary>Deletes a pod (no eviction, no disruption budget); a pod already gone counts as deleted.</summary>
    Task DeletePodAsync(string podNamespace, string podName, CancellationToken cancellationToken);

    /// <summary>Deletes the Node; with finalizers on it, the API server only marks it for deletion until they are removed.</summary>
    Task DeleteNodeAsync(string nodeName, CancellationToken cancellationToken);

    /// <summary>Adds a finalizer to the node (nothing when it is there already).</summary>
    Task<bool> AddNodeFinalizerAsync(string nodeName, string finalizer, CancellationToken cancellationToken);

    /// <summary>Removes a finalizer from the node; a node already gone counts as done (true).</summary>
    Task<bool> RemoveNodeFinalizerAsync(string nodeName, string finalizer, CancellationToken cancellationToken);

    /// <summary>Sets the node's labels named here to their values; a null value removes the label. Other labels stay.</summary>
    Task<bool> SetNodeLabelsAsync(string nodeName, IReadOnlyDictionary<string, string?> labels, CancellationToken cancellationToken);

    /// <summary>Sets the node's annotations named here to their values; a null value removes the annotation. Others stay.</summary>
    Task<bool> SetNodeAnnotationsAsync(string nodeName, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken);

    /// <summary>Adds a taint, replacing one with the same key and effect.</summary>
    Task<bool> AddNodeTaintAsync(string nodeName, Taint taint, CancellationToken cancellationToken);

    /// <summary>Removes the taints with this key and effect (nothing when there is none).</summary>
    Task<bool> RemoveNodeTaintAsync(string nodeName, string key, TaintEffect effect, CancellationToken cancellationToken);

    /// <summary>Sets the provisioner's <c>status.resources</c> (what it has provisioned) through the status subresource; false when it is gone.</summary>
    Task<bool> PatchProvisionerStatusAsync(string provisionerName, ResourceList resources, CancellationToken cancellationToken);

    /// <summary>Creates an Event about a pod or a node.</summary>
    Task RecordEventAsync(ClusterEvent clusterEvent, CancellationToken cancellationToken);
}
