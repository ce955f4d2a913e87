using Capstan.Core.Cluster;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>An existing or in-flight node while the plan is being built.</summary>
internal sealed class NodeState
{
    public required int Index { get; init; }

    public required NodeView View { get; init; }

    /// <summary>Allocatable less what is requested already, per dimension.</summary>
    public required long[] Free { get; init; }

    public required List<HostPort> Ports { get; init; }

    /// <summary>Taints that block scheduling here (ephemeral start-up taints of in-flight nodes left out).</summary>
    public required Taint[] Taints { get; init; }

    public List<int> Placed { get; } = [];

    public bool Closed { get; set; }
}
