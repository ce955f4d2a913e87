using Capstan.Core.Cluster;

namespace Capstan.Core.Ports;

/// <summary>Write side of the cluster: the calls controllers and the extender make to the API server.</summary>
public interface IClusterWriter
{
    /// <summary>Creates the pod's Binding to the node (<c>POST pods/{name}/binding</c>).</summary>
    Task BindAsync(string podNamespace, string podName, string podUid, string nodeName, CancellationToken cancellationToken);

    /// <summary>Creates the Node object for a launched instance (in flight until the kubelet registers).</summary>
    Task CreateNodeAsync(NodeView node, CancellationToken cancellationToken);

    /// <summary>Marks the node unschedulable.</summary>
    Task CordonAsync(string nodeName, CancellationToken cancellationToken);

    /// <summary>Evicts a pod through the Eviction API; false when a disruption budget refused it.</summary>
    Task<bool> EvictAsync(string podNamespace, string podName, CancellationToken cancellationToken);

    Task DeleteNodeAsync(string nodeName, CancellationToken cancellationToken);
}
