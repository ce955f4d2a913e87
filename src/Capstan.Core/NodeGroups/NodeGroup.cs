using Capstan.Core.InstanceTypes;

namespace Capstan.Core.NodeGroups;

/// <summary>
/// An Auto Scaling group found by Cluster Autoscaler's discovery tags: its bounds, what its nodes look like (from the
/// launch template or mixed instances policy and the node-template tags) and the instances it has now. Capstan only
/// ever changes its desired capacity and removes single instances from it.
/// </summary>
public sealed record NodeGroup
{
    public required string Name { get; init; }

    public required int MinSize { get; init; }

    public required int MaxSize { get; init; }

    public required int DesiredCapacity { get; init; }

    /// <summary>
    /// The group's instance types in the order the group lists them (launch template override order); the first is the
    /// one planned for, as Cluster Autoscaler does. Offerings are the group's zones at its capacity type.
    /// </summary>
    public required IReadOnlyList<InstanceType> InstanceTypes { get; init; }

    /// <summary>Zones of the group's subnets, sorted.</summary>
    public required IReadOnlyList<string> Zones { get; init; }

    /// <summary><c>on-demand</c> or <c>spot</c> (the <c>karpenter.sh/capacity-type</c> values).</summary>
    public required string CapacityType { get; init; }

    /// <summary>The group's tags as the cloud lists them (node template, autoscaling options, ownership).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Instances in the group now, with their lifecycle state.</summary>
    public IReadOnlyList<NodeGroupInstance> Instances { get; init; } = [];

    /// <summary>Where the group's instance types came from, for <c>capstan doctor</c> (<c>launch template lt-0abc (version 3)</c>).</summary>
    public string TemplateDescription { get; init; } = "";

    /// <summary>What the group's nodes carry, derived from its node-template tags.</summary>
    public NodeGroupTemplate Template => _template ??= NodeGroupTemplate.FromTags(Tags);

    private NodeGroupTemplate? _template;

    /// <summary>The type the group is planned with: its first-listed type, or null when none could be resolved.</summary>
    public InstanceType? PlannedType => InstanceTypes.Count > 0 ? InstanceTypes[0] : null;

    /// <summary>How many more nodes the group may take.</summary>
    public int Headroom => Math.Max(0, MaxSize - DesiredCapacity);
}

/// <summary>One instance of an Auto Scaling group.</summary>
/// <param name="InstanceId">The EC2 instance id.</param>
/// <param name="Zone">Its availability zone.</param>
/// <param name="LifecycleState">Auto Scaling's lifecycle state (<c>Pending</c>, <c>InService</c>, <c>Terminating</c>, ...).</param>
/// <param name="InstanceType">Its instance type.</param>
public sealed record NodeGroupInstance(string InstanceId, string Zone, string LifecycleState, string InstanceType)
{
    /// <summary>True unless the instance is on its way out.</summary>
    public bool IsActive => !LifecycleState.StartsWith("Terminat", StringComparison.Ordinal) && !LifecycleState.StartsWith("Detach", StringComparison.Ordinal);
}
