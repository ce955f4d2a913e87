namespace Capstan.Aws.AutoScaling;

/// <summary>A <c>DescribeAutoScalingGroups</c> filter (<c>tag-key</c>, <c>tag-value</c>, <c>tag:&lt;key&gt;</c>).</summary>
public sealed record Filter
{
    public required string Name { get; init; }

    public IReadOnlyList<string> Values { get; init; } = [];
}

/// <summary>Lists groups by name or filter, one page (at most 100 records).</summary>
public sealed record DescribeAutoScalingGroupsRequest
{
    public IReadOnlyList<string> AutoScalingGroupNames { get; init; } = [];

    public IReadOnlyList<Filter> Filters { get; init; } = [];

    public int? MaxRecords { get; init; }

    public string? NextToken { get; init; }
}

/// <summary>One page of groups, and the token of the next page (null on the last).</summary>
public sealed record DescribeAutoScalingGroupsResponse
{
    public IReadOnlyList<AutoScalingGroup> AutoScalingGroups { get; init; } = [];

    public string? NextToken { get; init; }
}

/// <summary>Sets a group's desired capacity; with <see cref="HonorCooldown"/> false it takes effect at once.</summary>
public sealed record SetDesiredCapacityRequest
{
    public required string AutoScalingGroupName { get; init; }

    public required int DesiredCapacity { get; init; }

    public bool? HonorCooldown { get; init; }
}

/// <summary>Terminates one instance of a group, lowering its desired capacity when asked to.</summary>
public sealed record TerminateInstanceInAutoScalingGroupRequest
{
    public required string InstanceId { get; init; }

    public required bool ShouldDecrementDesiredCapacity { get; init; }
}

/// <summary>The scaling activity a termination started.</summary>
public sealed record TerminateInstanceInAutoScalingGroupResponse
{
    public Activity? Activity { get; init; }
}

/// <summary>A group's scaling activities, newest first, one page.</summary>
public sealed record DescribeScalingActivitiesRequest
{
    public string? AutoScalingGroupName { get; init; }

    public int? MaxRecords { get; init; }

    public string? NextToken { get; init; }
}

public sealed record DescribeScalingActivitiesResponse
{
    public IReadOnlyList<Activity> Activities { get; init; } = [];

    public string? NextToken { get; init; }
}

/// <summary>One scaling activity: what the group did or is doing, why, and how it went (<c>Successful</c>, <c>Failed</c>, ...).</summary>
public sealed record Activity
{
    public string ActivityId { get; init; } = "";

    public string? AutoScalingGroupName { get; init; }

    public string? Description { get; init; }

    public string? Cause { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    public string? StatusCode { get; init; }

    public string? StatusMessage { get; init; }

    public int? Progress { get; init; }
}

/// <summary>Lists launch configurations by name, one page.</summary>
public sealed record DescribeLaunchConfigurationsRequest
{
    public IReadOnlyList<string> LaunchConfigurationNames { get; init; } = [];

    public int? MaxRecords { get; init; }

    public string? NextToken { get; init; }
}

public sealed record DescribeLaunchConfigurationsResponse
{
    public IReadOnlyList<LaunchConfiguration> LaunchConfigurations { get; init; } = [];

    public string? NextToken { get; init; }
}

/// <summary>A launch configuration (the members Capstan reads: its name and instance type).</summary>
public sealed record LaunchConfiguration
{
    public string LaunchConfigurationName { get; init; } = "";

    public string? InstanceType { get; init; }

    public string? ImageId { get; init; }
}
