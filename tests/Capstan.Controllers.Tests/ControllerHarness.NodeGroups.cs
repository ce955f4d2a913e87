using Capstan.Controllers.NodeGroups;
using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.InstanceTypes;
using Capstan.Core.NodeGroups;
using Capstan.Core.Pods;
using Capstan.Core.Scheduling;
using Capstan.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Controllers.Tests;

/// <summary>Node groups on the harness: the seed's two groups behind a fake Auto Scaling port, and the controllers that scale them.</summary>
internal sealed partial class ControllerHarness
{
    public const string GroupZone = "us-east-1a";

    private NodeGroupRegistry? _nodeGroupRegistry;
    private NodeGroupScaler? _nodeGroupScaler;
    private NodeGroupScaleDownController? _scaleDown;
    private int _groupInstances;

    public FakeNodeGroups NodeGroups { get; } = new();

    public NodeGroupOptions NodeGroupOptions { get; private set; } = new() { Enabled = true };

    public NodeGroupRegistry Registry => _nodeGroupRegistry ?? throw new InvalidOperationException("call EnableNodeGroups first");

    public NodeGroupMetrics? NodeGroupMetrics { get; private set; }

    public NodeGroupScaleDownController ScaleDown => _scaleDown ??= new NodeGroupScaleDownController(
        Cluster, Cluster, Registry, NodeGroupMetrics!, NodeGroupOptions, Time, NullLogger<NodeGroupScaleDownController>.Instance);

    /// <summary>A 4-vCPU spot type with 3.5 vCPU allocatable, as c5.xlarge has after system overhead.</summary>
    public static InstanceType C5Xlarge() =>
        FakeInstanceTypes.Create("c5.xlarge", "3500m", "6Gi", 58, [new Offering(GroupZone, Labels.CapacityTypeSpot, 0.068)]);

    public static InstanceType T3Medium() =>
        FakeInstanceTypes.Create("t3.medium", "1930m", "3Gi", 17, [new Offering(GroupZone, Labels.CapacityTypeOnDemand, 0.0416)]);

    /// <summary>Turns node groups on with the seed's groups: group 1 (1/1/2, t3.medium) and group 2 (0/0/10, c5.xlarge spot, tainted).</summary>
    public void EnableNodeGroups(NodeGroupOptions? options = null)
    {
        NodeGroupOptions = options ?? new NodeGroupOptions { Enabled = true };
        NodeGroups.Put(Group("eks-group1", 1, 1, 2, T3Medium(), Labels.CapacityTypeOnDemand, "group1", taint: null));
        NodeGroups.Put(Group("eks-group2", 0, 0, 10, C5Xlarge(), Labels.CapacityTypeSpot, "group2", taint: "group2:NoSchedule"));
        _nodeGroupRegistry = new NodeGroupRegistry(NodeGroups, NodeGroupOptions, Time, NullLogger<NodeGroupRegistry>.Instance);
        NodeGroupMetrics = new NodeGroupMetrics(_meters, _nodeGroupRegistry, Cluster);
        _nodeGroupScaler = new NodeGroupScaler(_nodeGroupRegistry, NodeGroupOptions, null, NodeGroupMetrics, Time, NullLogger<NodeGroupScaler>.Instance);
        Controller = NewController();
        _termination = null;
        _scaleDown = null;
    }

    public static NodeGroup Group(string name, int min, int desired, int max, InstanceType type, string capacityType, string role, string? taint)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [NodeGroupTemplate.EnabledTag] = "true",
            [NodeGroupTemplate.Prefix + "test-cluster"] = "owned",
            [NodeGroupTemplate.LabelPrefix + "role"] = role,
        };
        if (taint is not null)
        {
            tags[NodeGroupTemplate.TaintPrefix + "dedicated"] = taint;
        }

        return new NodeGroup
        {
            Name = name,
            MinSize = min,
            DesiredCapacity = desired,
            MaxSize = max,
            InstanceTypes = [type],
            Zones = [GroupZone],
            CapacityType = capacityType,
            Tags = tags,
        };
    }

    /// <summary>The seed's inflate pods: 1 vCPU, role=group2, tolerating the group's taint, marked Unschedulable.</summary>
    public IReadOnlyList<PodRequest> AddGroupPods(string prefix, int count)
    {
        var template = new PodBuilder(prefix, "apps").Cpu("1").Memory("256Mi").NodeSelector("role", "group2")
            .Tolerate(Toleration.Equal("dedicated", "group2", TaintEffect.NoSchedule)).Build();
        var pods = PodBuilder.Replicas(template, prefix, count);
        foreach (var pod in pods)
        {
            Cluster.UpsertPod(Unschedulable(pod));
        }

        return pods;
    }

    /// <summary>
    /// What the group and the kubelet do after a scale-up: an instance joins the group (and the cloud), and its node
    /// registers Ready with the group's labels and taints. The registry learns the instance at its next listing.
    /// </summary>
    public NodeView RegisterGroupNode(string groupName)
    {
        var group = NodeGroups[groupName];
        var type = group.InstanceTypes[0];
        var id = $"i-group{Interlocked.Increment(ref _groupInstances):D4}";
        var providerId = $"aws:///{GroupZone}/{id}";
        NodeGroups.Put(group with { Instances = [.. group.Instances, new NodeGroupInstance(id, GroupZone, "InService", type.Name)] });
        Cloud.Put(new CloudInstance
        {
            InstanceId = id,
            ProviderId = providerId,
            InstanceType = type.Name,
            Zone = GroupZone,
            CapacityType = group.CapacityType,
            LaunchTime = Time.GetUtcNow(),
            State = "running",
            PrivateDnsName = $"ip-10-0-9-{_groupInstances}.ec2.internal",
        });
        var labels = new Dictionary<string, string>(group.Template.Labels, StringComparer.Ordinal)
        {
            [Labels.InstanceType] = type.Name,
            [Labels.Zone] = GroupZone,
            [Labels.Hostname] = $"ip-10-0-9-{_groupInstances}.ec2.internal",
            [Labels.Arch] = "amd64",
            [Labels.Os] = "linux",
        };
        var node = new NodeView
        {
            Name = $"ip-10-0-9-{_groupInstances}.ec2.internal",
            Labels = labels,
            Taints = group.Template.Taints,
            Capacity = type.Capacity,
            Allocatable = type.Allocatable,
            Ready = true,
            ProviderId = providerId,
            CreatedAt = Time.GetUtcNow(),
        };
        Cluster.UpsertNode(node);
        return node;
    }

    /// <summary>Kube-scheduler's move once a group node is Ready: binds the pod there and marks it Running.</summary>
    public void ScheduleOn(string nodeName, PodRequest pod, string? ownerKind = "ReplicaSet") => Cluster.UpsertPod(new PodView
    {
        Request = pod,
        NodeName = nodeName,
        Phase = "Running",
        ScheduledStatus = "True",
        OwnerKind = ownerKind,
        OwnerName = ownerKind is null ? null : "owner",
        CreatedAt = Time.GetUtcNow(),
    });
}
