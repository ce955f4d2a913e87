using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Core.Provisioning;

/// <summary>
/// A provisioner (v1alpha5 <c>Provisioner</c>) as the core sees it, defaults already applied.
/// <see cref="Requirements"/> includes the labels as In requirements.
/// </summary>
public sealed record Provisioner
{
    private static readonly IReadOnlyDictionary<string, string> s_none = new Dictionary<string, string>();

    public required string Name { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = s_none;

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = s_none;

    public Requirements Requirements { get; init; } = Requirements.Empty;

    public IReadOnlyList<Taint> Taints { get; init; } = [];

    /// <summary>Taints removed by something else after start-up; pods need not tolerate them.</summary>
    public IReadOnlyList<Taint> StartupTaints { get; init; } = [];

    /// <summary><c>limits.resources</c>; null means unlimited.</summary>
    public ResourceList? Limits { get; init; }

    /// <summary>Higher is tried first; unset counts as 0.</summary>
    public int Weight { get; init; }

    public long? TtlSecondsAfterEmpty { get; init; }

    public long? TtlSecondsUntilExpired { get; init; }

    public bool ConsolidationEnabled { get; init; }

    public KubeletSettings Kubelet { get; init; } = KubeletSettings.Default;

    /// <summary>Name of the AWSNodeTemplate (providerRef), when one is referenced.</summary>
    public string? ProviderRef { get; init; }

    /// <summary>The node template written inline (the v0.5-era <c>spec.provider</c>), when there is one instead of a reference.</summary>
    public Cloud.NodeTemplate? InlineTemplate { get; init; }

    /// <summary>Every requirement a node of this provisioner satisfies: spec.requirements, labels, and its own name.</summary>
    public Requirements NodeRequirements() =>
        Requirements
            .Intersect(Scheduling.Requirements.FromLabels(Labels))
            .Intersect(Scheduling.Requirements.Create(Requirement.In(Scheduling.Labels.ProvisionerName, Name)));
}
