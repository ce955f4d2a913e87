using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Capstan.Sandbox.World;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Sandbox.Aws;

/// <summary>
/// EC2 Auto Scaling behind the <see cref="AwsStandIn"/> (signing name <c>autoscaling</c>), so that Capstan's node
/// groups meet the Query API as AWS answers it: DescribeAutoScalingGroups (names, tag filters, paging),
/// SetDesiredCapacity, TerminateInstanceInAutoScalingGroup and DescribeScalingActivities, with Auto Scaling's
/// <c>ValidationError</c> wording. Groups reconcile on the world's clock as Auto Scaling does: below the desired
/// capacity they launch through the EC2 stand-in (types in priority order, the next one when an offering has no
/// capacity, zones kept balanced), above it they terminate, and every change is a scaling activity.
/// Simplifications: no cooldowns (<c>HonorCooldown</c> is accepted and has no effect), no lifecycle hooks, warm pools
/// or instance protection, and scale-in takes the newest instance of the fullest zone rather than running the whole
/// default termination policy.
/// </summary>
public sealed class AutoScalingStandIn : IAwsService
{
    /// <summary>The tag EC2 Auto Scaling puts on every instance it launches.</summary>
    public const string GroupNameTag = "aws:autoscaling:groupName";

    private const int DefaultMaxRecords = 50;
    private const int MaxMaxRecords = 100;
    private readonly Dictionary<string, Func<AwsCall, AwsReply>> _actions = new(StringComparer.Ordinal);
    private readonly List<StandInAutoScalingGroup> _groups = [];
    private readonly Lock _gate = new();
    private readonly Ec2StandIn _ec2;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AutoScalingStandIn(Ec2StandIn ec2, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(ec2);
        _ec2 = ec2;
        _time = time ?? ec2.Time;
        _logger = logger ?? NullLogger.Instance;
        _actions["DescribeAutoScalingGroups"] = DescribeAutoScalingGroups;
        _actions["SetDesiredCapacity"] = SetDesiredCapacity;
        _actions["TerminateInstanceInAutoScalingGroup"] = TerminateInstanceInAutoScalingGroup;
        _actions["DescribeScalingActivities"] = DescribeScalingActivities;
    }

    public string Name => "autoscaling";

    /// <summary>How often the groups reconcile when <see cref="RunAsync"/> drives them.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a group waits after a launch EC2 refused before it tries again.</summary>
    public TimeSpan LaunchRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The groups now.</summary>
    public IReadOnlyList<AutoScalingGroupState> Groups
    {
        get
        {
            lock (_gate)
            {
                Refresh(_time.GetUtcNow());
                return [.. _groups.Select(State)];
            }
        }
    }

    /// <summary>One group now, or null.</summary>
    public AutoScalingGroupState? Group(string name) => Groups.FirstOrDefault(g => g.Name == name);

    /// <summary>Creates a group (as CreateAutoScalingGroup would); it launches up to its desired capacity on the next reconcile.</summary>
    public AutoScalingGroupState AddGroup(AutoScalingGroupSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.MinSize < 0 || spec.MinSize > spec.MaxSize || spec.DesiredCapacity < spec.MinSize || spec.DesiredCapacity > spec.MaxSize)
        {
            throw new ArgumentException($"group {spec.Name}: sizes must satisfy 0 <= min <= desired <= max", nameof(spec));
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_groups.Exists(g => g.Name == spec.Name))
            {
                throw new ArgumentException($"group {spec.Name} already exists", nameof(spec));
            }

            var arn = $"arn:aws:autoscaling:{_ec2.Region}:{_ec2.AccountId}:autoScalingGroup:{Guid.NewGuid()}:autoScalingGroupName/{spec.Name}";
            var group = new StandInAutoScalingGroup(spec, arn, now)
            {
                LastChange = $"At {Stamp(now)} a user request created an AutoScalingGroup changing the desired capacity from 0 to {Number(spec.DesiredCapacity)}.",
            };
            _groups.Add(group);
            return State(group);
        }
    }

    /// <summary>Reconciles the groups every <see cref="Interval"/> of the clock until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            do
            {
                Reconcile();
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    /// <summary>
    /// One round of Auto Scaling: instance states follow EC2 (Pending, InService, Terminating; terminated ones leave),
    /// then each group launches or terminates towards its desired capacity.
    /// </summary>
    public void Reconcile()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            Refresh(now);
            foreach (var group in _groups)
            {
                var active = group.Members.Count(m => m.IsActive);
                if (active < group.DesiredCapacity && now >= group.NextLaunchAttempt)
                {
                    for (var i = active; i < group.DesiredCapacity; i++)
                    {
                        if (!Launch(group, now))
                        {
                            group.NextLaunchAttempt = now + LaunchRetryDelay;
                            break;
                        }
                    }
                }
                else if (active > group.DesiredCapacity)
                {
                    for (var i = active; i > group.DesiredCapacity; i--)
                    {
                        ScaleIn(group, now);
                    }
                }
            }
        }
    }

    public ValueTask<AwsReply> HandleAsync(AwsCall request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_actions.TryGetValue(request.Action, out var handler))
        {
            return ValueTask.FromResult(Error("InvalidAction", $"The action {request.Action} is not valid for this web service."));
        }

        lock (_gate)
        {
            Refresh(_time.GetUtcNow());
            return ValueTask.FromResult(handler(request));
        }
    }

    private AwsReply DescribeAutoScalingGroups(AwsCall call)
    {
        var names = Members(call, "AutoScalingGroupNames");
        IEnumerable<StandInAutoScalingGroup> chosen = names.Count > 0 ? _groups.Where(g => names.Contains(g.Name)) : _groups;
        foreach (var filter in call.Structures("Filters.member"))
        {
            var name = filter.GetValueOrDefault("Name") ?? "";
            var values = new List<string>();
            for (var i = 1; filter.TryGetValue($"Values.member.{i}", out var value); i++)
            {
                values.Add(value);
            }

            if (name is not ("tag-key" or "tag-value") && !(name.StartsWith("tag:", StringComparison.Ordinal) && name.Length > 4))
            {
                return Error("ValidationError", $"Filter type {name} is not correct. Allowed Filter types are: tag-key, tag-value and tag:<key>");
            }

            chosen = name switch
            {
                "tag-key" => chosen.Where(g => g.Tags.Any(t => values.Contains(t.Key))),
                "tag-value" => chosen.Where(g => g.Tags.Any(t => values.Contains(t.Value))),
                _ => chosen.Where(g => g.Tags.Any(t => t.Key == name[4..] && values.Contains(t.Value))),
            };
        }

        List<StandInAutoScalingGroup> all = [.. chosen];
        var instances = call.Get("IncludeInstances") is not "false";
        return Page(call, "DescribeAutoScalingGroups", all, DefaultMaxRecords, (x, page, next) => x
            .List("AutoScalingGroups", page, (g, group) => WriteGroup(g, group, instances))
            .Value("NextToken", next));
    }

    private void WriteGroup(AutoScalingXml x, StandInAutoScalingGroup group, bool includeInstances)
    {
        var spec = group.Spec;
        var template = _ec2.LaunchTemplateById(spec.LaunchTemplateId);
        void Specification(AutoScalingXml s) => s
            .Value("LaunchTemplateId", spec.LaunchTemplateId)
            .Value("LaunchTemplateName", template?.Name)
            .Value("Version", "$Latest");
        x.Value("AutoScalingGroupName", group.Name).Value("AutoScalingGroupARN", group.Arn);
        if (spec.OverrideInstanceTypes.Count == 0)
        {
            x.Struct("LaunchTemplate", Specification);
        }
        else
        {
            var onDemand = spec.CapacityType == "on-demand";
            x.Struct("MixedInstancesPolicy", m => m
                .Struct("LaunchTemplate", lt => lt
                    .Struct("LaunchTemplateSpecification", Specification)
                    .List("Overrides", spec.OverrideInstanceTypes, (o, type) => o.Value("InstanceType", type)))
                .Struct("InstancesDistribution", d => d
                    .Value("OnDemandAllocationStrategy", "prioritized")
                    .Value("OnDemandBaseCapacity", 0L)
                    .Value("OnDemandPercentageAboveBaseCapacity", onDemand ? 100L : 0L)
                    .Value("SpotAllocationStrategy", "capacity-optimized-prioritized")));
        }

        var zones = spec.SubnetIds.Select(SubnetZone).Where(z => z is not null).Select(z => z!).Distinct(StringComparer.Ordinal).ToList();
        x.Value("MinSize", (long)group.MinSize)
            .Value("MaxSize", (long)group.MaxSize)
            .Value("DesiredCapacity", (long)group.DesiredCapacity)
            .Value("DefaultCooldown", 300L)
            .Values("AvailabilityZones", zones)
            .Values("LoadBalancerNames", [])
            .Values("TargetGroupARNs", [])
            .Value("HealthCheckType", "EC2")
            .Value("HealthCheckGracePeriod", 300L)
            .List("Instances", group.Members.Where(m => includeInstances && m.LifecycleState != "Terminated"), (i, m) => i
                .Value("InstanceId", m.InstanceId)
                .Value("InstanceType", m.InstanceType)
                .Value("AvailabilityZone", m.Zone)
                .Value("LifecycleState", m.LifecycleState)
                .Value("HealthStatus", "Healthy")
                .Struct("LaunchTemplate", Specification)
                .Value("ProtectedFromScaleIn", false))
            .Value("CreatedTime", group.CreatedTime)
            .List("SuspendedProcesses", Array.Empty<string>(), (_, _) => { })
            .Value("VPCZoneIdentifier", string.Join(',', spec.SubnetIds))
            .List("EnabledMetrics", Array.Empty<string>(), (_, _) => { })
            .List("Tags", group.Tags.OrderBy(t => t.Key, StringComparer.Ordinal), (t, tag) => t
                .Value("ResourceId", group.Name)
                .Value("ResourceType", "auto-scaling-group")
                .Value("Key", tag.Key)
                .Value("Value", tag.Value)
                .Value("PropagateAtLaunch", tag.PropagateAtLaunch))
            .Values("TerminationPolicies", ["Default"])
            .Value("NewInstancesProtectedFromScaleIn", false)
            .Value("ServiceLinkedRoleARN", $"arn:aws:iam::{_ec2.AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
            .Value("CapacityRebalance", false);
    }

    private AwsReply SetDesiredCapacity(AwsCall call)
    {
        var name = call.Get("AutoScalingGroupName");
        var desiredText = call.Get("DesiredCapacity");
        if (string.IsNullOrEmpty(name) || desiredText is null)
        {
            return Error("ValidationError", $"1 validation error detected: Value null at '{(string.IsNullOrEmpty(name) ? "autoScalingGroupName" : "desiredCapacity")}' failed to satisfy constraint: Member must not be null");
        }

        if (!int.TryParse(desiredText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var desired))
        {
            return Error("ValidationError", $"Value '{desiredText}' for parameter DesiredCapacity is invalid.");
        }

        var group = _groups.FirstOrDefault(g => g.Name == name);
        if (group is null)
        {
            return Error("ValidationError", $"AutoScalingGroup name not found - AutoScalingGroup {name} not found");
        }

        if (desired > group.MaxSize)
        {
            return Error("ValidationError", $"New SetDesiredCapacity value {Number(desired)} is above max value {Number(group.MaxSize)} for the AutoScalingGroup.");
        }

        if (desired < group.MinSize)
        {
            return Error("ValidationError", $"New SetDesiredCapacity value {Number(desired)} is below min value {Number(group.MinSize)} for the AutoScalingGroup.");
        }

        if (desired != group.DesiredCapacity)
        {
            var now = _time.GetUtcNow();
            group.LastChange = $"At {Stamp(now)} a user request explicitly set group desired capacity changing the desired capacity from {Number(group.DesiredCapacity)} to {Number(desired)}.";
            SandboxLog.GroupDesiredSet(_logger, group.Name, group.DesiredCapacity, desired);
            group.DesiredCapacity = desired;
        }

        return AutoScalingXml.Response("SetDesiredCapacity", null);
    }

    private AwsReply TerminateInstanceInAutoScalingGroup(AwsCall call)
    {
        var instanceId = call.Get("InstanceId");
        var decrementText = call.Get("ShouldDecrementDesiredCapacity");
        if (string.IsNullOrEmpty(instanceId) || decrementText is null)
        {
            return Error("ValidationError", $"1 validation error detected: Value null at '{(string.IsNullOrEmpty(instanceId) ? "instanceId" : "shouldDecrementDesiredCapacity")}' failed to satisfy constraint: Member must not be null");
        }

        if (!bool.TryParse(decrementText, out var decrement))
        {
            return Error("ValidationError", $"Value '{decrementText}' for parameter ShouldDecrementDesiredCapacity is invalid.");
        }

        var (group, member) = _groups.SelectMany(g => g.Members.Select(m => (Group: g, Member: m))).FirstOrDefault(p => p.Member.InstanceId == instanceId && p.Member.LifecycleState != "Terminated");
        if (group is null || member is null)
        {
            return Error("ValidationError", $"No managed instance found for instance ID: {instanceId}");
        }

        var now = _time.GetUtcNow();
        StandInScalingActivity activity;
        if (!member.IsActive)
        {
            // Already on its way out: the termination already under way is the answer.
            activity = group.Activities.LastOrDefault(a => a.InstanceId == instanceId && a.Description.StartsWith("Terminating", StringComparison.Ordinal))
                ?? Record(group, $"Terminating EC2 instance: {instanceId}", $"At {Stamp(now)} instance {instanceId} was taken out of service in response to a user request.", now, member);
        }
        else
        {
            if (decrement && group.DesiredCapacity - 1 < group.MinSize)
            {
                return Error("ValidationError",
                    $"Currently, desiredSize equals minSize ({Number(group.MinSize)}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.");
            }

            var cause = $"At {Stamp(now)} instance {instanceId} was taken out of service in response to a user request";
            if (decrement)
            {
                cause += $", shrinking the capacity from {Number(group.DesiredCapacity)} to {Number(group.DesiredCapacity - 1)}";
                group.LastChange = $"At {Stamp(now)} a user request explicitly set group desired capacity changing the desired capacity from {Number(group.DesiredCapacity)} to {Number(group.DesiredCapacity - 1)}.";
                group.DesiredCapacity--;
            }

            _ec2.Terminate(instanceId);
            member.LifecycleState = "Terminating";
            activity = Record(group, $"Terminating EC2 instance: {instanceId}", cause + ".", now, member);
            SandboxLog.GroupInstanceTerminating(_logger, group.Name, instanceId, decrement ? "removed by request" : "removed by request, to be replaced");
        }

        return AutoScalingXml.Response("TerminateInstanceInAutoScalingGroup", x => x.Struct("Activity", a => WriteActivity(a, activity, group)));
    }

    private AwsReply DescribeScalingActivities(AwsCall call)
    {
        var name = call.Get("AutoScalingGroupName");
        var ids = Members(call, "ActivityIds");
        var activities = _groups.Where(g => name is null || g.Name == name)
            .SelectMany(g => g.Activities.Select(a => (Activity: a, Group: g)))
            .Where(p => ids.Count == 0 || ids.Contains(p.Activity.ActivityId))
            .OrderByDescending(p => p.Activity.StartTime)
            .ThenByDescending(p => p.Group.Activities.IndexOf(p.Activity))
            .ToList();
        return Page(call, "DescribeScalingActivities", activities, MaxMaxRecords, (x, page, next) => x
            .List("Activities", page, (a, p) => WriteActivity(a, p.Activity, p.Group))
            .Value("NextToken", next));
    }

    private static void WriteActivity(AutoScalingXml x, StandInScalingActivity activity, StandInAutoScalingGroup group)
    {
        var details = new JsonObject();
        if (activity.Zone is { } zone)
        {
            details["Availability Zone"] = zone;
        }

        x.Value("ActivityId", activity.ActivityId)
            .Value("AutoScalingGroupName", activity.GroupName)
            .Value("Description", activity.Description)
            .Value("Cause", activity.Cause)
            .Value("StartTime", activity.StartTime)
            .Value("EndTime", activity.EndTime)
            .Value("StatusCode", activity.StatusCode)
            .Value("StatusMessage", activity.StatusMessage)
            .Value("Progress", (long)activity.Progress)
            .Value("Details", details.ToJsonString())
            .Value("AutoScalingGroupARN", group.Arn);
    }

    /// <summary>Instance states follow EC2's; activities finish when their instance is in service or gone.</summary>
    private void Refresh(DateTimeOffset now)
    {
        foreach (var group in _groups)
        {
            foreach (var member in group.Members)
            {
                var state = _ec2.InstanceById(member.InstanceId)?.StateAt(now) ?? "terminated";
                var next = state switch
                {
                    "pending" => "Pending",
                    "running" => "InService",
                    "terminated" => "Terminated",
                    _ => "Terminating",
                };
                if (next == member.LifecycleState)
                {
                    continue;
                }

                if (next == "Terminating" && member.IsActive)
                {
                    // Ended from outside Auto Scaling (a spot reclaim, a stop or TerminateInstances): it is replaced.
                    Record(group, $"Terminating EC2 instance: {member.InstanceId}",
                        $"At {Stamp(now)} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.", now, member);
                }

                member.LifecycleState = next;
                foreach (var activity in group.Activities.Where(a => a.InstanceId == member.InstanceId && a.StatusCode == "InProgress"))
                {
                    var launching = activity.Description.StartsWith("Launching", StringComparison.Ordinal);
                    if ((launching && next is "InService" or "Terminated") || (!launching && next == "Terminated"))
                    {
                        activity.StatusCode = "Successful";
                        activity.Progress = 100;
                        activity.EndTime = now;
                    }
                }
            }

            group.Members.RemoveAll(m => m.LifecycleState == "Terminated");
        }
    }

    /// <summary>Launches one instance: the least-used zone first, the types in priority order in each zone.</summary>
    private bool Launch(StandInAutoScalingGroup group, DateTimeOffset now)
    {
        var spec = group.Spec;
        var types = spec.OverrideInstanceTypes.Count > 0
            ? spec.OverrideInstanceTypes
            : _ec2.LaunchTemplateById(spec.LaunchTemplateId)?.Data.GetValueOrDefault("InstanceType") is { } only ? [only] : [];
        var capacityType = spec.OverrideInstanceTypes.Count > 0 ? spec.CapacityType : "on-demand";
        var active = group.Members.Where(m => m.IsActive).ToList();
        var subnets = spec.SubnetIds
            .Select((subnet, order) => (Subnet: subnet, Zone: SubnetZone(subnet) ?? "", Order: order))
            .OrderBy(s => active.Count(m => m.Zone == s.Zone))
            .ThenBy(s => s.Order)
            .ToList();
        var tags = group.Tags.Where(t => t.PropagateAtLaunch).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        tags[GroupNameTag] = group.Name;
        var from = active.Count;
        GroupLaunchResult? last = null;
        foreach (var (subnet, zone, _) in subnets)
        {
            foreach (var type in types)
            {
                last = _ec2.LaunchForGroup(spec.LaunchTemplateId, type, subnet, capacityType, tags);
                if (last.Instance is not { } instance)
                {
                    continue;
                }

                var member = new StandInGroupMember
                {
                    InstanceId = instance.InstanceId,
                    InstanceType = type,
                    Zone = zone,
                    CapacityType = capacityType,
                    LaunchedAt = now,
                };
                group.Members.Add(member);
                Record(group, $"Launching a new EC2 instance: {instance.InstanceId}",
                    $"{group.LastChange} At {Stamp(now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from {Number(from)} to {Number(group.DesiredCapacity)}.",
                    now, member);
                SandboxLog.GroupInstanceLaunched(_logger, group.Name, instance.InstanceId, type, zone, capacityType);
                return true;
            }
        }

        var reason = last is null
            ? "The group has no instance type to launch."
            : $"{last.ErrorMessage} Launching EC2 instance failed.";
        var failed = Record(group, "Launching a new EC2 instance.  Status Reason: " + reason,
            $"{group.LastChange} At {Stamp(now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from {Number(from)} to {Number(group.DesiredCapacity)}.",
            now, null);
        failed.StatusCode = "Failed";
        failed.StatusMessage = reason;
        failed.Progress = 100;
        failed.EndTime = now;
        SandboxLog.GroupLaunchFailed(_logger, group.Name, last?.ErrorCode ?? "no instance type");
        return false;
    }

    /// <summary>Terminates one instance: from the zone with the most, the newest there (zones stay balanced).</summary>
    private void ScaleIn(StandInAutoScalingGroup group, DateTimeOffset now)
    {
        var active = group.Members.Where(m => m.IsActive).ToList();
        var victim = active
            .OrderByDescending(m => active.Count(o => o.Zone == m.Zone))
            .ThenByDescending(m => m.LaunchedAt)
            .ThenByDescending(m => group.Members.IndexOf(m))
            .First();
        _ec2.Terminate(victim.InstanceId);
        victim.LifecycleState = "Terminating";
        Record(group, $"Terminating EC2 instance: {victim.InstanceId}",
            $"{group.LastChange} At {Stamp(now)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from {Number(active.Count)} to {Number(active.Count - 1)}.",
            now, victim);
        SandboxLog.GroupInstanceTerminating(_logger, group.Name, victim.InstanceId, "above the desired capacity");
    }

    private static StandInScalingActivity Record(StandInAutoScalingGroup group, string description, string cause, DateTimeOffset now, StandInGroupMember? member)
    {
        var activity = new StandInScalingActivity
        {
            ActivityId = Guid.NewGuid().ToString(),
            GroupName = group.Name,
            Description = description,
            Cause = cause,
            StartTime = now,
            InstanceId = member?.InstanceId,
            Zone = member?.Zone,
        };
        group.Activities.Add(activity);
        return activity;
    }

    private string? SubnetZone(string subnetId) => _ec2.Subnets.FirstOrDefault(s => s.SubnetId == subnetId)?.Zone;

    private static AutoScalingGroupState State(StandInAutoScalingGroup group) => new(
        group.Name, group.MinSize, group.MaxSize, group.DesiredCapacity, [.. group.Tags],
        [.. group.Members.Where(m => m.LifecycleState != "Terminated").Select(m => new AutoScalingInstanceState(m.InstanceId, m.InstanceType, m.Zone, m.CapacityType, m.LifecycleState))]);

    /// <summary>MaxRecords (1 to 100) and NextToken paging, then the result.</summary>
    private static AwsReply Page<T>(AwsCall call, string action, IReadOnlyList<T> items, int defaultSize, Action<AutoScalingXml, IReadOnlyList<T>, string?> write)
    {
        var size = defaultSize;
        if (call.Get("MaxRecords") is { } text
            && (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out size) || size < 1 || size > MaxMaxRecords))
        {
            return Error("ValidationError", size > MaxMaxRecords
                ? $"1 validation error detected: Value '{text}' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to {Number(MaxMaxRecords)}"
                : $"1 validation error detected: Value '{text}' at 'maxRecords' failed to satisfy constraint: Member must have value greater than or equal to 1");
        }

        var offset = 0;
        if (call.Get("NextToken") is { Length: > 0 } token && !TryReadToken(token, action, out offset))
        {
            return Error("InvalidNextToken", "The token is invalid.");
        }

        var page = items.Skip(offset).Take(size).ToList();
        var next = offset + page.Count < items.Count ? Token(action, offset + page.Count) : null;
        return AutoScalingXml.Response(action, x => write(x, page, next));
    }

    /// <summary>A Query list of strings: <c>{prefix}.member.1</c>, <c>{prefix}.member.2</c>, ...</summary>
    private static List<string> Members(AwsCall call, string prefix) => [.. call.List(prefix + ".member")];

    private static string Token(string action, int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{action}/{offset.ToString(CultureInfo.InvariantCulture)}"));

    private static bool TryReadToken(string token, string action, out int offset)
    {
        offset = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith(action + "/", StringComparison.Ordinal)
                && int.TryParse(text[(action.Length + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static AwsReply Error(string code, string message) =>
        AwsReply.QueryError(HttpStatusCode.BadRequest, AutoScalingXml.Namespace, code, message);

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
