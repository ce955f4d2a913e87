using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Provisioning;

namespace Capstan.Kubernetes.Manifests;

/// <summary>What a set of YAML manifests describes, converted to Core types.</summary>
public sealed record ManifestSet
{
    /// <summary>Provisioners with the v0.26.1 defaults applied.</summary>
    public required IReadOnlyList<Provisioner> Provisioners { get; init; }

    /// <summary>The AWSNodeTemplates found, as Core node templates (named after the object).</summary>
    public required IReadOnlyList<NodeTemplate> NodeTemplates { get; init; }

    /// <summary>The v0.5-era inline <c>spec.provider</c> of each Provisioner that has one, by provisioner name.</summary>
    public IReadOnlyDictionary<string, NodeTemplate> InlineProviders { get; init; } = new Dictionary<string, NodeTemplate>();

    /// <summary>
    /// The pending pods: those of the workloads, expanded by replicas or parallelism and named
    /// <c>&lt;namespace&gt;/&lt;workload&gt;-&lt;i&gt;</c>, and the Pod documents not bound to a node and not finished.
    /// </summary>
    public required IReadOnlyList<PodRequest> Pods { get; init; }

    /// <summary>DaemonSet pod templates (overhead on every node they would run on).</summary>
    public required IReadOnlyList<PodRequest> DaemonSets { get; init; }

    /// <summary>Nodes given as existing capacity, each with the Pod documents bound to it (<c>spec.nodeName</c>).</summary>
    public required IReadOnlyList<NodeView> Nodes { get; init; }

    /// <summary>
    /// Every namespace's labels: the declared Namespaces, and the namespaces the pods name, each with
    /// <c>kubernetes.io/metadata.name</c> as Kubernetes sets it.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>Documents skipped, with the reason (unknown kinds, kinds that carry no pods).</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>
    /// What was read but is probably not what the user meant: fields the Kubernetes model does not know
    /// (<c>FILE: document N, line L, column C: unknown field "spec.limit" (did you mean "limits"?)</c>) and objects given twice.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
