using Capstan.Core.Resources;

namespace Capstan.Core.Provisioning;

/// <summary>The kubelet settings that change a node's allocatable (v1alpha5 <c>kubeletConfiguration</c>).</summary>
public sealed record KubeletSettings
{
    public static readonly KubeletSettings Default = new();

    public int? MaxPods { get; init; }

    public int? PodsPerCore { get; init; }

    public ResourceList KubeReserved { get; init; } = ResourceList.Empty;

    public ResourceList SystemReserved { get; init; } = ResourceList.Empty;

    /// <summary><c>evictionHard</c> signals, e.g. <c>memory.available: 500Mi</c> or <c>nodefs.available: 10%</c>.</summary>
    public IReadOnlyDictionary<string, string> EvictionHard { get; init; } = new Dictionary<string, string>();
}
