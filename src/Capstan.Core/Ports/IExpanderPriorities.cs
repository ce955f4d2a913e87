using Capstan.Core.NodeGroups;

namespace Capstan.Core.Ports;

/// <summary>
/// The priority expander's configuration as the cluster holds it (Cluster Autoscaler's ConfigMap
/// <c>cluster-autoscaler-priority-expander</c>, key <c>priorities</c>).
/// </summary>
public interface IExpanderPriorities
{
    /// <summary>The priorities, or null when the ConfigMap does not exist; a ConfigMap that cannot be read is logged and counts as none.</summary>
    Task<ExpanderPriorities?> GetAsync(CancellationToken cancellationToken);
}
