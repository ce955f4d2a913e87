using Capstan.Core.NodeGroups;

namespace Capstan.Core.Ports;

/// <summary>
/// The cloud's Auto Scaling groups that Capstan scales the way Cluster Autoscaler does. Implementations retry transient
/// failures themselves and throw <see cref="Cloud.CloudProviderException"/> when they give up.
/// </summary>
public interface INodeGroupProvider
{
    /// <summary>
    /// The groups that carry the cluster's discovery tags, with their bounds, instances and node template; instance
    /// types resolved from the launch template or mixed instances policy, offerings in the group's zones at its
    /// capacity type.
    /// </summary>
    Task<IReadOnlyList<NodeGroup>> DiscoverAsync(CancellationToken cancellationToken);

    /// <summary>Sets the group's desired capacity (the caller keeps it within min and max).</summary>
    Task SetDesiredCapacityAsync(string groupName, int desiredCapacity, CancellationToken cancellationToken);

    /// <summary>
    /// Removes one instance from its group and lowers the group's desired capacity by one, so that the group does not
    /// replace it. False when the instance was already gone.
    /// </summary>
    Task<bool> TerminateInstanceAsync(string instanceId, CancellationToken cancellationToken);
}
