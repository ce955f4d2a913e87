using Capstan.Core.Cluster;
using Capstan.Core.Ports;

namespace Capstan.Controllers.Provisioning;

/// <summary>
/// Nodes this process has created that the cluster state may not show yet (the watch lags the create by a moment):
/// the next batch counts them, so it neither launches again for their pods nor exceeds a provisioner's limits.
/// </summary>
public sealed class InFlightNodes(TimeProvider time)
{
    private static readonly TimeSpan s_forgetAfter = TimeSpan.FromSeconds(30);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (NodeView Node, DateTimeOffset Created)> _created = new(StringComparer.Ordinal);

    public void Add(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_gate)
        {
            _created[node.Name] = (node, time.GetUtcNow());
        }
    }

    /// <summary>
    /// The cluster state has shown the node (the watch delivered it): from now on the cluster state speaks for it, even
    /// once it is deleted. Without this a node created and deleted between two passes would linger here as a ghost.
    /// </summary>
    public void Seen(string nodeName)
    {
        lock (_gate)
        {
            _created.Remove(nodeName);
        }
    }

    /// <summary>The created nodes the cluster state does not know yet; the ones it shows (or old ones) are forgotten.</summary>
    public IReadOnlyList<NodeView> Unseen(IClusterState cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            List<NodeView>? unseen = null;
            foreach (var (name, (node, created)) in _created.ToList())
            {
                if (cluster.FindNode(name) is not null || now - created > s_forgetAfter)
                {
                    _created.Remove(name);
                    continue;
                }

                (unseen ??= []).Add(node);
            }

            return unseen ?? [];
        }
    }
}
