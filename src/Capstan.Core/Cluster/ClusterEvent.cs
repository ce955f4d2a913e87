namespace Capstan.Core.Cluster;

/// <summary>
/// A Kubernetes Event (core/v1) about a pod or a node: what users see in <c>kubectl describe</c> and
/// <c>kubectl get events</c>. Node events go to the <c>default</c> namespace, as the kubelet's do.
/// </summary>
public sealed record ClusterEvent
{
    public required EventObjectKind Kind { get; init; }

    /// <summary>The pod's namespace; ignored for nodes.</summary>
    public string? Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary>The object's uid, when known (ties the event to this incarnation of the object).</summary>
    public string? Uid { get; init; }

    /// <summary>A short UpperCamelCase word: <c>Nominated</c>, <c>FailedScheduling</c>, <c>Launched</c>.</summary>
    public required string Reason { get; init; }

    public required string Message { get; init; }

    public ClusterEventType Type { get; init; } = ClusterEventType.Normal;
}
