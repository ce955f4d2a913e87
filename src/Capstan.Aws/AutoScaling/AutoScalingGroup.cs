namespace Capstan.Aws.AutoScaling;

/// <summary>
/// One Auto Scaling group as <c>DescribeAutoScalingGroups</c> lists it (the members Capstan reads), named as in
/// AWSSDK.AutoScaling so code written against the SDK reads the same.
/// </summary>
public sealed record AutoScalingGroup
{
    public string AutoScalingGroupName { get; init; } = "";

    public int MinSize { get; init; }

    public int MaxSize { get; init; }

    public int DesiredCapacity { get; init; }

    public IReadOnlyList<string> AvailabilityZones { get; init; } = [];

    /// <summary>The group's subnets, comma-separated.</summary>
    public string? VPCZoneIdentifier { get; init; }

    /// <summary>The launch template of a group without a mixed instances policy.</summary>
    public LaunchTemplateSpecification? LaunchTemplate { get; init; }

    public string? LaunchConfigurationName { get; init; }

    public MixedInstancesPolicy? MixedInstancesPolicy { get; init; }

    public IReadOnlyList<Instance> Instances { get; init; } = [];

    public IReadOnlyList<TagDescription> Tags { get; init; } = [];

    /// <summary>Set while the group is being deleted (<c>Delete in progress</c>).</summary>
    public string? Status { get; init; }
}

/// <summary>A launch template by id or name, and the version to use (<c>$Default</c>, <c>$Latest</c> or a number).</summary>
public sealed record LaunchTemplateSpecification
{
    public string? LaunchTemplateId { get; init; }

    public string? LaunchTemplateName { get; init; }

    public string? Version { get; init; }
}

/// <summary>A group that mixes instance types (and on-demand with spot): the template, its overrides and the split.</summary>
public sealed record MixedInstancesPolicy
{
    public LaunchTemplate? LaunchTemplate { get; init; }

    public InstancesDistribution? InstancesDistribution { get; init; }
}

/// <summary>The mixed instances policy's template and the instance types it overrides it with, in priority order.</summary>
public sealed record LaunchTemplate
{
    public LaunchTemplateSpecification? LaunchTemplateSpecification { get; init; }

    public IReadOnlyList<LaunchTemplateOverrides> Overrides { get; init; } = [];
}

/// <summary>One override: an instance type (or a template of its own) and how many capacity units it counts for.</summary>
public sealed record LaunchTemplateOverrides
{
    public string? InstanceType { get; init; }

    public string? WeightedCapacity { get; init; }

    /// <summary>A template just for this override, when it has one.</summary>
    public LaunchTemplateSpecification? LaunchTemplateSpecification { get; init; }

    /// <summary>True when the override chooses types by attributes (<c>InstanceRequirements</c>), which Capstan does not resolve.</summary>
    public bool HasInstanceRequirements { get; init; }
}

/// <summary>How a mixed group splits its capacity between on-demand and spot.</summary>
public sealed record InstancesDistribution
{
    public int? OnDemandBaseCapacity { get; init; }

    public int? OnDemandPercentageAboveBaseCapacity { get; init; }

    public string? SpotAllocationStrategy { get; init; }
}

/// <summary>One instance of a group.</summary>
public sealed record Instance
{
    public string InstanceId { get; init; } = "";

    public string? InstanceType { get; init; }

    public string? AvailabilityZone { get; init; }

    /// <summary><c>Pending</c>, <c>InService</c>, <c>Terminating</c>, ...</summary>
    public string? LifecycleState { get; init; }

    public string? HealthStatus { get; init; }

    public LaunchTemplateSpecification? LaunchTemplate { get; init; }
}

/// <summary>A tag of a group.</summary>
public sealed record TagDescription
{
    public string Key { get; init; } = "";

    public string Value { get; init; } = "";

    public bool PropagateAtLaunch { get; init; }

    public string? ResourceId { get; init; }

    public string? ResourceType { get; init; }
}
