using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;

namespace Capstan.Aws.Launch;

/// <summary>What a node needs to join the cluster: where the API server is, and how its kubelet registers.</summary>
public sealed record BootstrapInputs
{
    public required string ClusterName { get; init; }

    public string? ClusterEndpoint { get; init; }

    /// <summary>The cluster CA bundle, base64 PEM.</summary>
    public string? CaBundle { get; init; }

    /// <summary>Labels the kubelet registers the node with (already filtered to those a kubelet may set).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Taints the node registers with (the claim's taints and startup taints).</summary>
    public IReadOnlyList<Taint> Taints { get; init; } = [];

    public KubeletSettings Kubelet { get; init; } = KubeletSettings.Default;

    /// <summary>The kubelet's <c>--max-pods</c>: the kubelet setting, else the type's ENI-limited density.</summary>
    public required int MaxPods { get; init; }

    /// <summary>The node template's own user data, merged with the bootstrap.</summary>
    public string? CustomUserData { get; init; }
}
