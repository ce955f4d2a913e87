using Capstan.Core.Pods;

namespace Capstan.Core.Cluster;

/// <summary>
/// One object of the cluster changed in a way its view shows (a watch event that changes nothing the cluster state
/// keeps is no change). Changes of one object that a subscriber has not read yet are merged into one: the
/// <c>Previous*</c> side is the state before the first, the other side the state after the last.
/// </summary>
public sealed record ClusterChange
{
    public required ClusterObjectKind Kind { get; init; }

    public required ClusterChangeType Type { get; init; }

    /// <summary><c>namespace/name</c> for namespaced kinds, the name otherwise.</summary>
    public required string Key { get; init; }

    /// <summary>For <see cref="ClusterObjectKind.Pod"/>: the pod after the change; null when deleted.</summary>
    public PodView? Pod { get; init; }

    /// <summary>For <see cref="ClusterObjectKind.Pod"/>: the pod before the change; null when added.</summary>
    public PodView? PreviousPod { get; init; }

    /// <summary>For <see cref="ClusterObjectKind.Node"/>: the node after the change (with its pods then); null when deleted.</summary>
    public NodeView? Node { get; init; }

    /// <summary>For <see cref="ClusterObjectKind.Node"/>: the node before the change; null when added.</summary>
    public NodeView? PreviousNode { get; init; }

    /// <summary>A change of <paramref name="kind"/> other than pods and nodes (the subscriber reads the object from the cluster state).</summary>
    public static ClusterChange Of(ClusterObjectKind kind, ClusterChangeType type, string key) => new() { Kind = kind, Type = type, Key = key };

    public static ClusterChange ForPod(PodView? previous, PodView? current) => new()
    {
        Kind = ClusterObjectKind.Pod,
        Type = TypeOf(previous, current),
        Key = (current ?? previous ?? throw new ArgumentException("a pod change needs a pod")).Key,
        Pod = current,
        PreviousPod = previous,
    };

    public static ClusterChange ForNode(NodeView? previous, NodeView? current) => new()
    {
        Kind = ClusterObjectKind.Node,
        Type = TypeOf(previous, current),
        Key = (current ?? previous ?? throw new ArgumentException("a node change needs a node")).Name,
        Node = current,
        PreviousNode = previous,
    };

    /// <summary>
    /// This change followed by <paramref name="later"/> (same object) as one change; null when they cancel out (added,
    /// then deleted before anyone read it).
    /// </summary>
    public ClusterChange? Then(ClusterChange later)
    {
        ArgumentNullException.ThrowIfNull(later);
        var type = (Type, later.Type) switch
        {
            (ClusterChangeType.Added, ClusterChangeType.Deleted) => (ClusterChangeType?)null,
            (ClusterChangeType.Added, _) => ClusterChangeType.Added,
            (ClusterChangeType.Deleted, ClusterChangeType.Added) => ClusterChangeType.Updated,
            (_, var next) => next,
        };
        return type is { } merged
            ? this with { Type = merged, Pod = later.Pod, Node = later.Node }
            : null;
    }

    private static ClusterChangeType TypeOf(object? previous, object? current) =>
        previous is null ? ClusterChangeType.Added : current is null ? ClusterChangeType.Deleted : ClusterChangeType.Updated;

    public override string ToString() => $"{Kind} {Key} {Type}";
}
