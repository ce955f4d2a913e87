using Capstan.Core.InstanceTypes;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Cloud;

/// <summary>One node claim to launch: everything the cloud needs to start the instance and bootstrap its kubelet.</summary>
public sealed record LaunchRequest
{
    /// <summary>
    /// The claim's durable identity (unique across batches and restarts): the launch is idempotent on it (the EC2
    /// ClientToken is derived from it) and the instance is tagged with it.
    /// </summary>
    public required string ClaimName { get; init; }

    public required string ProvisionerName { get; init; }

    public required NodeTemplate Template { get; init; }

    /// <summary>The types the claim may launch as, best first, with their offerings.</summary>
    public required IReadOnlyList<InstanceType> InstanceTypes { get; init; }

    /// <summary>The claim's merged requirements: they decide the zones and capacity types allowed.</summary>
    public required Requirements Requirements { get; init; }

    /// <summary>Labels the kubelet registers the node with.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<Taint> Taints { get; init; } = [];

    public IReadOnlyList<Taint> StartupTaints { get; init; } = [];

    public KubeletSettings Kubelet { get; init; } = KubeletSettings.Default;

    /// <summary>When true, a spot claim must not fall back to on-demand (consolidation replacements).</summary>
    public bool SpotOnly { get; init; }
}
