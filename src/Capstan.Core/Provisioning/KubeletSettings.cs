using Capstan.Core.Resources;

namespace Capstan.Core.Provisioning;

/// <summary>
/// A provisioner's v1alpha5 <c>kubeletConfiguration</c>: the settings that change a node's allocatable, which the
/// packing core plans with, and the rest, which only the node's bootstrap passes on to its kubelet.
/// </summary>
public sealed record KubeletSettings
{
    public static readonly KubeletSettings Default = new();

    public int? MaxPods { get; init; }

    public int? PodsPerCore { get; init; }

    public ResourceList KubeReserved { get; init; } = ResourceList.Empty;

    public ResourceList SystemReserved { get; init; } = ResourceList.Empty;

    /// <summary><c>evictionHard</c> signals, e.g. <c>memory.available: 500Mi</c> or <c>nodefs.available: 10%</c>.</summary>
    public IReadOnlyDictionary<string, string> EvictionHard { get; init; } = new Dictionary<string, string>();

    /// <summary>The cluster DNS addresses the node's pods use; the first is the one the bootstrap passes.</summary>
    public IReadOnlyList<string> ClusterDns { get; init; } = [];

    /// <summary><c>containerd</c> or <c>dockerd</c> (EKS-optimised AL2 only).</summary>
    public string? ContainerRuntime { get; init; }

    /// <summary><c>evictionSoft</c> signals with their thresholds.</summary>
    public IReadOnlyDictionary<string, string> EvictionSoft { get; init; } = new Dictionary<string, string>();

    /// <summary><c>evictionSoftGracePeriod</c> per signal, as Go durations (<c>1m30s</c>).</summary>
    public IReadOnlyDictionary<string, string> EvictionSoftGracePeriod { get; init; } = new Dictionary<string, string>();

    public int? EvictionMaxPodGracePeriod { get; init; }

    public int? ImageGcHighThresholdPercent { get; init; }

    public int? ImageGcLowThresholdPercent { get; init; }

    public bool? CpuCfsQuota { get; init; }
}
