using System.Collections.Concurrent;
using Capstan.Aws.Clients;
using Capstan.Aws.Offerings;
using Capstan.Core.Cloud;
using Capstan.Core.NodeGroups;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Microsoft.Extensions.Logging;
using InstanceType = Capstan.Core.InstanceTypes.InstanceType;

namespace Capstan.Aws.AutoScaling;

/// <summary>
/// The cluster's Auto Scaling groups, found as Cluster Autoscaler finds them (both of its discovery tag keys,
/// <c>k8s.io/cluster-autoscaler/enabled</c> and <c>k8s.io/cluster-autoscaler/&lt;cluster&gt;</c>), with their types
/// built like a provisioner's (catalog, allocatable for the default kubelet settings, the price book and spot
/// prices) but offered only in the group's zones at its capacity type, and the node-template resource tags laid
/// over the type's capacity. Every call goes through <see cref="AwsPipelines"/>; failures surface as
/// <see cref="CloudProviderException"/> in words.
/// </summary>
public sealed class AwsNodeGroupProvider : INodeGroupProvider
{
    /// <summary>The service name of Auto Scaling calls in pipelines and messages.</summary>
    public const string Service = "Auto Scaling";

    private readonly AutoScalingClient _autoScaling;
    private readonly GroupTypeResolver _types;
    private readonly InstanceTypeProvider _instanceTypes;
    private readonly AwsPipelines _pipelines;
    private readonly AwsOptions _options;
    private readonly ILogger<AwsNodeGroupProvider> _logger;
    private readonly ConcurrentDictionary<string, string> _lastProblem = new(StringComparer.Ordinal);

    public AwsNodeGroupProvider(
        AutoScalingClient autoScaling, GroupTypeResolver types, InstanceTypeProvider instanceTypes, AwsPipelines pipelines, AwsOptions options,
        ILogger<AwsNodeGroupProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(autoScaling);
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(instanceTypes);
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _autoScaling = autoScaling;
        _types = types;
        _instanceTypes = instanceTypes;
        _pipelines = pipelines;
        _options = options;
        _logger = logger;
    }

    /// <summary>Groups asked for a page (1-100).</summary>
    public int PageSize { get; init; } = 100;

    public async Task<IReadOnlyList<NodeGroup>> DiscoverAsync(CancellationToken cancellationToken)
    {
        var cluster = _options.ClusterName;
        var groups = new List<AutoScalingGroup>();
        string? next = null;
        do
        {
            var request = new DescribeAutoScalingGroupsRequest
            {
                Filters =
                [
                    new Filter { Name = "tag-key", Values = [NodeGroupTemplate.EnabledTag] },
                    new Filter { Name = "tag-key", Values = [NodeGroupTemplate.Prefix + cluster] },
                ],
                MaxRecords = PageSize,
                NextToken = next,
            };
            var page = await AwsPipelines.RunAsync(_pipelines.Idempotent(Service), Service, "DescribeAutoScalingGroups",
                t => _autoScaling.DescribeAutoScalingGroupsAsync(request, t), cancellationToken);
            groups.AddRange(page.AutoScalingGroups);
            next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (next is not null);

        var result = new List<NodeGroup>();
        foreach (var group in groups.OrderBy(g => g.AutoScalingGroupName, StringComparer.Ordinal))
        {
            var tags = Tags(group);
            if (!NodeGroupTemplate.IsDiscoverable(tags, cluster) || IsBeingDeleted(group))
            {
                continue;
            }

            result.Add(await BuildAsync(group, tags, cancellationToken));
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.NodeGroupsDiscovered(result.Count, result.Count(g => g.InstanceTypes.Count > 0));
        }

        return result;
    }

    public async Task SetDesiredCapacityAsync(string groupName, int desiredCapacity, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupName);
        var request = new SetDesiredCapacityRequest { AutoScalingGroupName = groupName, DesiredCapacity = desiredCapacity, HonorCooldown = false };
        await AwsPipelines.RunAsync(_pipelines.Idempotent(Service), Service, "SetDesiredCapacity", async t =>
        {
            await _autoScaling.SetDesiredCapacityAsync(request, t);
            return true;
        }, cancellationToken);
        _logger.NodeGroupDesiredCapacitySet(groupName, desiredCapacity);
    }

    public async Task<bool> TerminateInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var request = new TerminateInstanceInAutoScalingGroupRequest { InstanceId = instanceId, ShouldDecrementDesiredCapacity = true };
        try
        {
            var answer = await AwsPipelines.RunAsync(_pipelines.Idempotent(Service), Service, "TerminateInstanceInAutoScalingGroup",
                t => _autoScaling.TerminateInstanceInAutoScalingGroupAsync(request, t), cancellationToken);
            _logger.NodeGroupInstanceTerminating(instanceId, answer.Activity?.ActivityId ?? "", answer.Activity?.Description ?? "");
            return true;
        }
        catch (CloudProviderException e) when (IsNoManagedInstance(e))
        {
            _logger.NodeGroupInstanceAlreadyGone(instanceId);
            return false;
        }
    }

    /// <summary>Auto Scaling's answer for an instance no group has (any more): <c>ValidationError</c>, "No managed instance found ...".</summary>
    public static bool IsNoManagedInstance(CloudProviderException exception) =>
        (exception ?? throw new ArgumentNullException(nameof(exception))).Code == "ValidationError"
        && (exception.InnerException?.Message ?? exception.Message).Contains("No managed instance found", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>spot</c> when a mixed policy puts nothing on demand (base 0, 0% above it) or the template asks for spot; else <c>on-demand</c>.</summary>
    public static string CapacityType(AutoScalingGroup group, bool templateRequestsSpot)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.MixedInstancesPolicy is { } mixed)
        {
            // AWS's defaults when the distribution leaves them out: base 0, 100% on demand above it.
            var distribution = mixed.InstancesDistribution;
            var spot = (distribution?.OnDemandBaseCapacity ?? 0) == 0 && (distribution?.OnDemandPercentageAboveBaseCapacity ?? 100) == 0;
            return spot ? Labels.CapacityTypeSpot : Labels.CapacityTypeOnDemand;
        }

        return templateRequestsSpot ? Labels.CapacityTypeSpot : Labels.CapacityTypeOnDemand;
    }

    private async Task<NodeGroup> BuildAsync(AutoScalingGroup group, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var name = group.AutoScalingGroupName;
        IReadOnlyList<string> zones = [.. group.AvailabilityZones.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var problems = new List<string>();
        GroupTypes resolved;
        try
        {
            resolved = await _types.ResolveAsync(group, cancellationToken);
        }
        catch (CloudProviderException e)
        {
            resolved = new GroupTypes([], Fallback(group), false, e.Message);
        }

        if (resolved.Problem is not null)
        {
            problems.Add(resolved.Problem);
        }

        var capacityType = CapacityType(group, resolved.TemplateRequestsSpot);
        var template = NodeGroupTemplate.FromTags(tags);
        List<InstanceType> types = [];
        if (resolved.Names.Count > 0 && zones.Count == 0)
        {
            problems.Add("the group lists no availability zones");
        }
        else if (resolved.Names.Count > 0)
        {
            try
            {
                var offered = await _instanceTypes.GetInstanceTypesAsync(zones, KubeletSettings.Default, cancellationToken);
                types = Restrict(resolved.Names, offered, zones, capacityType, template, problems);
            }
            catch (CloudProviderException e)
            {
                problems.Add(e.Message);
            }
        }

        Report(name, types.Count == 0 ? problems : [], template.Problems);
        return new NodeGroup
        {
            Name = name,
            MinSize = group.MinSize,
            MaxSize = group.MaxSize,
            DesiredCapacity = group.DesiredCapacity,
            InstanceTypes = types,
            Zones = zones,
            CapacityType = capacityType,
            Tags = tags,
            Instances = [.. group.Instances.Select(i => new NodeGroupInstance(i.InstanceId, i.AvailabilityZone ?? "", i.LifecycleState ?? "", i.InstanceType ?? ""))],
            TemplateDescription = resolved.Description,
        };
    }

    /// <summary>
    /// The group's types in its order, each offered only in the group's zones at its capacity type, with the
    /// node-template resource tags set over the type's own capacity. Types EC2 does not offer there are left out.
    /// </summary>
    private static List<InstanceType> Restrict(
        IReadOnlyList<string> names, IReadOnlyList<InstanceType> offered, IReadOnlyList<string> zones, string capacityType, NodeGroupTemplate template, List<string> problems)
    {
        var byName = offered.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var result = new List<InstanceType>(names.Count);
        foreach (var name in names)
        {
            if (!byName.TryGetValue(name, out var type))
            {
                problems.Add($"{name} is not offered (or has no price) in {string.Join(", ", zones)}");
                continue;
            }

            var offerings = type.Offerings.Where(o => o.CapacityType == capacityType && zones.Contains(o.Zone, StringComparer.Ordinal)).ToList();
            if (offerings.Count == 0)
            {
                problems.Add($"{name} is not offered as {capacityType} in {string.Join(", ", zones)}");
                continue;
            }

            var requirements = type.Requirements.Intersect(Requirements.Create(
                Requirement.In(Labels.Zone, [.. offerings.Select(o => o.Zone).Distinct(StringComparer.Ordinal)]),
                Requirement.In(Labels.CapacityType, capacityType)));
            var capacity = type.Capacity;
            foreach (var (resource, quantity) in template.Resources)
            {
                capacity = capacity.With(resource, quantity);
            }

            result.Add(new InstanceType(type.Name, requirements, capacity, type.Overhead, offerings));
        }

        return result;
    }

    /// <summary>Logs a group's problems when they change (discovery runs often; the same reason is said once).</summary>
    private void Report(string group, List<string> typeProblems, IReadOnlyList<string> tagProblems)
    {
        var all = string.Join("; ", typeProblems.Concat(tagProblems));
        var previous = _lastProblem.GetValueOrDefault(group, "");
        if (all == previous)
        {
            return;
        }

        _lastProblem[group] = all;
        if (typeProblems.Count > 0)
        {
            _logger.NodeGroupTypesUnresolved(group, string.Join("; ", typeProblems));
        }

        foreach (var problem in tagProblems)
        {
            _logger.NodeGroupTagProblem(group, problem);
        }
    }

    private static Dictionary<string, string> Tags(AutoScalingGroup group)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in group.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        return tags;
    }

    private static bool IsBeingDeleted(AutoScalingGroup group) =>
        group.Status?.StartsWith("Delete", StringComparison.OrdinalIgnoreCase) == true;

    private static string Fallback(AutoScalingGroup group) =>
        group.MixedInstancesPolicy is not null ? "mixed instances policy"
        : group.LaunchTemplate is { } t ? "launch template " + GroupTypeResolver.Describe(t)
        : group.LaunchConfigurationName is { } c ? "launch configuration " + c
        : "no launch template";
}
