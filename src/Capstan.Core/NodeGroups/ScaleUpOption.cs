using Capstan.Core.Packing;
using Capstan.Core.Pods;
using Capstan.Core.Resources;

namespace Capstan.Core.NodeGroups;

/// <summary>
/// One way to make room for pending pods, as an expander compares them: grow one node group by some nodes, or launch
/// the provisioners' node claims.
/// </summary>
public sealed record ScaleUpOption
{
    /// <summary>The group's name, or <see cref="ProvisionersName"/>.</summary>
    public required string Name { get; init; }

    /// <summary>The group to grow; null for the provisioners' option.</summary>
    public NodeGroup? Group { get; init; }

    /// <summary>The provisioners' plan for the pods of this option; null for a group.</summary>
    public Plan? ProvisionerPlan { get; init; }

    /// <summary>Names the priority expander matches: the group's name, or the provisioners the plan launches for.</summary>
    public required IReadOnlyList<string> MatchNames { get; init; }

    public required int NodeCount { get; init; }

    /// <summary>Pods the new nodes would take.</summary>
    public required IReadOnlyList<PodRequest> Pods { get; init; }

    /// <summary>What the new nodes offer in total (allocatable, less daemon overhead).</summary>
    public required ResourceList Allocatable { get; init; }

    /// <summary>What the option's pods request in total.</summary>
    public required ResourceList Requested { get; init; }

    public required double PricePerHour { get; init; }

    /// <summary>The name of the provisioners' option (no Auto Scaling group can carry it: group names have no spaces).</summary>
    public const string ProvisionersName = "provisioners";

    public bool IsGroup => Group is not null;

    /// <summary>Idle share of CPU plus idle share of memory on the new nodes (Cluster Autoscaler's least-waste score).</summary>
    public double Waste => Idle(ResourceNames.Cpu) + Idle(ResourceNames.Memory);

    private double Idle(string resource)
    {
        var offered = Allocatable.Get(resource).ToDouble();
        return offered <= 0 ? 0 : Math.Max(0, offered - Requested.Get(resource).ToDouble()) / offered;
    }
}
