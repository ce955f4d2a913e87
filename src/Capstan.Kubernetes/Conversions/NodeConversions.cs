using Capstan.Core.Cluster;
using Capstan.Core.Scheduling;
using k8s.Models;

namespace Capstan.Kubernetes.Conversions;

/// <summary>Turns a Kubernetes <see cref="V1Node"/> into the <see cref="NodeView"/> the core reasons about (without pods).</summary>
public static class NodeConversions
{
    private static readonly IReadOnlyDictionary<string, string> s_none = new Dictionary<string, string>();

    /// <summary>
    /// Converts the node. <see cref="NodeView.Pods"/> is left empty (the cache attaches the bound pods).
    /// <paramref name="pricing"/> prices the instance from the node's labels; null or an unknown type gives no price.
    /// </summary>
    public static NodeView ToNodeView(V1Node node, Func<IReadOnlyDictionary<string, string>, double?>? pricing = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var metadata = node.Metadata ?? new V1ObjectMeta();
        var labels = metadata.Labels is { Count: > 0 } l ? new Dictionary<string, string>(l, StringComparer.Ordinal) : s_none;
        var annotations = metadata.Annotations is { Count: > 0 } a ? new Dictionary<string, string>(a, StringComparer.Ordinal) : s_none;
        var status = node.Status;
        return new NodeView
        {
            Name = metadata.Name ?? "",
            Labels = labels,
            Annotations = annotations,
            Taints = SelectorConversions.ToTaints(node.Spec?.Taints),
            Capacity = status?.Capacity is { } capacity ? PodConversions.ToResourceList(capacity) : Core.Resources.ResourceList.Empty,
            Allocatable = status?.Allocatable is { } allocatable ? PodConversions.ToResourceList(allocatable) : Core.Resources.ResourceList.Empty,
            InFlight = labels.ContainsKey(Labels.ProvisionerName) && !labels.ContainsKey(Labels.Initialized),
            Ready = IsReady(node),
            Unschedulable = node.Spec?.Unschedulable == true,
            MarkedForDeletion = metadata.DeletionTimestamp is not null,
            DisruptionCandidate = annotations.ContainsKey(Labels.DisruptionAnnotation),
            ProviderId = string.IsNullOrEmpty(node.Spec?.ProviderID) ? null : node.Spec.ProviderID,
            Finalizers = metadata.Finalizers is { Count: > 0 } finalizers ? [.. finalizers] : [],
            PricePerHour = pricing?.Invoke(labels),
            CreatedAt = metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null,
        };
    }

    /// <summary>True when the node reports a <c>Ready</c> condition with status <c>True</c>.</summary>
    public static bool IsReady(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        foreach (var condition in node.Status?.Conditions ?? [])
        {
            if (condition.Type == "Ready")
            {
                return condition.Status == "True";
            }
        }

        return false;
    }

    /// <summary>
    /// True when two views describe the same node state, pods aside: the watch reports heartbeats and
    /// status churn as MODIFIED, and a cache keeps the previous <see cref="NodeView"/> instance for those.
    /// Every property of <see cref="NodeView"/> counts (<see cref="ValueEquality"/>), so one added later cannot be missed.
    /// </summary>
    public static bool SameNode(NodeView a, NodeView b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return ValueEquality.AreEqual(WithoutPods(a), WithoutPods(b));
    }

    private static NodeView WithoutPods(NodeView node) => node.Pods.Count == 0 ? node : node with { Pods = [] };

    internal static bool SameMap(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || !string.Equals(value, other, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
