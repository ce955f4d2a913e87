using Capstan.Core.Cluster;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Pods;

namespace Capstan.Core.Packing;

/// <summary>Everything the packing core looks at, frozen at one moment. Same snapshot, same plan.</summary>
public sealed record Snapshot
{
    public DateTimeOffset Now { get; init; }

    public required IReadOnlyList<PodRequest> PendingPods { get; init; }

    /// <summary>Existing and in-flight nodes with the pods bound or planned onto them.</summary>
    public IReadOnlyList<NodeView> Nodes { get; init; } = [];

    public required IReadOnlyList<ProvisionerState> Provisioners { get; init; }

    /// <summary>Instance types for provisioners that do not carry their own list.</summary>
    public IReadOnlyList<InstanceType> InstanceTypes { get; init; } = [];

    /// <summary>DaemonSet pod templates: their requests are overhead on every new node they would run on.</summary>
    public IReadOnlyList<PodRequest> DaemonSets { get; init; } = [];

    /// <summary>
    /// Every namespace's labels (Kubernetes gives each <c>kubernetes.io/metadata.name</c>), for pod affinity terms
    /// with a <c>namespaceSelector</c>; null when unknown, and then such a term counts its listed namespaces, else
    /// the pod's own (see <see cref="NamespaceSelectors"/>).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? NamespaceLabels { get; init; }

    public PackingOptions Options { get; init; } = PackingOptions.Default;
}
