using Capstan.Core.Cluster;

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

    // Nodes the watch delivered before their creator got to add them here (the create's answer can lose that race).
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    public void Add(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_gate)
        {
            var now = time.GetUtcNow();
            foreach (var (name, at) in _seen.ToList())
            {
                if (now - at > s_forgetAfter)
                {
                    _seen.Remove(name);
                }
            }

            if (!_seen.Remove(node.Name))
            {
                _created[node.Name] = (node, now);
            }
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
            if (!_created.Remove(nodeName))
            {
                _seen[nodeName] = time.GetUtcNow();
            }
        }
    }

    /// <summary>
    /// The created nodes missing from <paramref name="shown"/> (a list read from the cluster state); the ones it has, and
    /// old ones, are forgotten. Judged against that very list, not against the cluster state later, so that a node the
    /// watch delivers in between is in exactly one of the two.
    /// </summary>
    public IReadOnlyList<NodeView> Unseen(IReadOnlyList<NodeView> shown)
    {
        ArgumentNullException.ThrowIfNull(shown);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_created.Count == 0)
            {
                return [];
            }

            var names = new HashSet<string>(shown.Select(n => n.Name), StringComparer.Ordinal);
            List<NodeView>? unseen = null;
            foreach (var (name, (node, created)) in _created.ToList())
            {
                if (names.Contains(name) || now - created > s_forgetAfter)
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
