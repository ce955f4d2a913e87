namespace Capstan.Sandbox.Aws;

/// <summary>
/// What the world asks the Auto Scaling stand-in to create: a group's bounds, subnets, launch template and, for a
/// mixed instances policy, its instance types in priority order and its capacity type.
/// </summary>
public sealed record AutoScalingGroupSpec
{
    public required string Name { get; init; }

    public required int MinSize { get; init; }

    public required int MaxSize { get; init; }

    public required int DesiredCapacity { get; init; }

    /// <summary>The subnets the group launches into (its <c>VPCZoneIdentifier</c>), in order.</summary>
    public required IReadOnlyList<string> SubnetIds { get; init; }

    /// <summary>The launch template's id (the EC2 stand-in's).</summary>
    public required string LaunchTemplateId { get; init; }

    /// <summary>
    /// The overrides of a mixed instances policy, highest priority first; empty for a group on its launch template
    /// alone (whose data names the instance type).
    /// </summary>
    public IReadOnlyList<string> OverrideInstanceTypes { get; init; } = [];

    /// <summary><c>on-demand</c> or <c>spot</c>: a mixed policy's distribution (0% or 100% on-demand above a base of 0).</summary>
    public string CapacityType { get; init; } = "on-demand";

    public IReadOnlyList<StandInGroupTag> Tags { get; init; } = [];
}

/// <summary>A tag of an Auto Scaling group; <see cref="PropagateAtLaunch"/> ones are put on the instances it launches.</summary>
public sealed record StandInGroupTag(string Key, string Value, bool PropagateAtLaunch);

/// <summary>An Auto Scaling group inside the stand-in: its spec, its desired capacity now, its instances and its history.</summary>
internal sealed class StandInAutoScalingGroup
{
    internal StandInAutoScalingGroup(AutoScalingGroupSpec spec, string arn, DateTimeOffset created)
    {
        Spec = spec;
        Arn = arn;
        CreatedTime = created;
        MinSize = spec.MinSize;
        MaxSize = spec.MaxSize;
        DesiredCapacity = spec.DesiredCapacity;
        Tags = [.. spec.Tags];
    }

    public AutoScalingGroupSpec Spec { get; }

    public string Name => Spec.Name;

    public string Arn { get; }

    public DateTimeOffset CreatedTime { get; }

    public int MinSize { get; internal set; }

    public int MaxSize { get; internal set; }

    public int DesiredCapacity { get; internal set; }

    public List<StandInGroupTag> Tags { get; }

    /// <summary>Instances in the group, in launch order (terminated ones leave it).</summary>
    internal List<StandInGroupMember> Members { get; } = [];

    /// <summary>Scaling activities, oldest first.</summary>
    internal List<StandInScalingActivity> Activities { get; } = [];

    /// <summary>Why the desired capacity last changed, for the activities' causes.</summary>
    internal string LastChange { get; set; } = "";

    /// <summary>After a failed launch the group waits before it tries again.</summary>
    internal DateTimeOffset NextLaunchAttempt { get; set; }
}

/// <summary>An instance of a group and its Auto Scaling lifecycle state.</summary>
internal sealed class StandInGroupMember
{
    public required string InstanceId { get; init; }

    public required string InstanceType { get; init; }

    public required string Zone { get; init; }

    /// <summary><c>on-demand</c> or <c>spot</c>.</summary>
    public required string CapacityType { get; init; }

    public required DateTimeOffset LaunchedAt { get; init; }

    /// <summary><c>Pending</c>, <c>InService</c>, <c>Terminating</c> or <c>Terminated</c>.</summary>
    public string LifecycleState { get; internal set; } = "Pending";

    public bool IsActive => LifecycleState is "Pending" or "InService";
}

/// <summary>One scaling activity (a launch, a termination or a failed launch) as DescribeScalingActivities gives it.</summary>
internal sealed class StandInScalingActivity
{
    public required string ActivityId { get; init; }

    public required string GroupName { get; init; }

    public required string Description { get; init; }

    public required string Cause { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public DateTimeOffset? EndTime { get; internal set; }

    /// <summary><c>InProgress</c>, <c>Successful</c> or <c>Failed</c>.</summary>
    public string StatusCode { get; internal set; } = "InProgress";

    public string? StatusMessage { get; internal set; }

    public int Progress { get; internal set; }

    /// <summary>The instance the activity is about, when there is one.</summary>
    public string? InstanceId { get; init; }

    /// <summary>The zone the activity happened in, for its Details.</summary>
    public string? Zone { get; init; }
}

/// <summary>A group as it is at one moment, for the world, the kubelets and the scenario runner to read.</summary>
/// <param name="Name">The group's name.</param>
/// <param name="MinSize">Its minimum size.</param>
/// <param name="MaxSize">Its maximum size.</param>
/// <param name="DesiredCapacity">Its desired capacity.</param>
/// <param name="Tags">Its tags.</param>
/// <param name="Instances">Its instances (pending, in service or terminating).</param>
public sealed record AutoScalingGroupState(
    string Name, int MinSize, int MaxSize, int DesiredCapacity, IReadOnlyList<StandInGroupTag> Tags, IReadOnlyList<AutoScalingInstanceState> Instances);

/// <summary>One instance of a group at one moment.</summary>
/// <param name="InstanceId">The EC2 instance id.</param>
/// <param name="InstanceType">Its instance type.</param>
/// <param name="Zone">Its availability zone.</param>
/// <param name="CapacityType"><c>on-demand</c> or <c>spot</c>.</param>
/// <param name="LifecycleState"><c>Pending</c>, <c>InService</c> or <c>Terminating</c>.</param>
public sealed record AutoScalingInstanceState(string InstanceId, string InstanceType, string Zone, string CapacityType, string LifecycleState);
