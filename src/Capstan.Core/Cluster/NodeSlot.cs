namespace Capstan.Core.Cluster;

/// <summary>
/// A node's place in a cluster cache: it always holds the node's current <see cref="NodeView"/>, replaced
/// as the node or its pods change, and is emptied for good when the node is deleted (a node created again
/// under the same name gets a new slot). A reader that keeps the slot reads the current view with one
/// pointer load instead of a lookup by name, which matters where every node is read per request.
/// </summary>
public sealed class NodeSlot
{
    private NodeView? _view;

    public NodeSlot(NodeView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        _view = view;
    }

    /// <summary>The node's current view; null once the node was deleted (then look the name up again).</summary>
    public NodeView? View => Volatile.Read(ref _view);

    /// <summary>Publishes the node's new view (cache writers only).</summary>
    public void Update(NodeView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        Volatile.Write(ref _view, view);
    }

    /// <summary>Empties the slot for good: the node is gone (cache writers only).</summary>
    public void Clear() => Volatile.Write(ref _view, null);
}
