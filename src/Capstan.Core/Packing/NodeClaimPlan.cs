using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Packing;

/// <summary>A node to launch: its provisioner, merged requirements and labels, its pods, and the ranked instance types that fit them.</summary>
public sealed record NodeClaimPlan
{
    public required string Name { get; init; }

    public required string Provisioner { get; init; }

    /// <summary>Instance types that fit the pods, cheapest compatible available offering first.</summary>
    public required IReadOnlyList<InstanceTypeOption> InstanceTypeOptions { get; init; }

    public required Requirements Requirements { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    public required IReadOnlyList<Taint> Taints { get; init; }

    public required IReadOnlyList<Taint> StartupTaints { get; init; }

    public required IReadOnlyList<PodRequest> Pods { get; init; }

    /// <summary>The pods' requests plus the daemonset overhead of the chosen type.</summary>
    public required ResourceList Requests { get; init; }

    /// <summary>The first option with its cheapest available offering.</summary>
    public InstanceTypeOption Cheapest => InstanceTypeOptions[0];
}
