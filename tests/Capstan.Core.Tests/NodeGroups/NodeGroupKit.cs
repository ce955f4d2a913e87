using Capstan.Core.InstanceTypes;
using Capstan.Core.NodeGroups;
using Capstan.Core.Scheduling;
using Capstan.Testing;

namespace Capstan.Core.Tests.NodeGroups;

/// <summary>The seed's two groups: a stable on-demand group and a spot group for batch work, tainted.</summary>
internal static class NodeGroupKit
{
    public const string Zone = "test-zone-1";

    /// <summary>A 4-vCPU type with 3.5 vCPU allocatable after system overhead, as c5.xlarge has on EKS.</summary>
    public static InstanceType Xlarge(string name = "c5.xlarge", string capacityType = Labels.CapacityTypeSpot, double price = 0.07) =>
        FakeInstanceTypes.Create(name, "3500m", "7Gi", 58, [new Offering(Zone, capacityType, price)]);

    public static NodeGroup Group(string name, int min, int desired, int max, InstanceType type, string capacityType, Dictionary<string, string> tags) => new()
    {
        Name = name,
        MinSize = min,
        DesiredCapacity = desired,
        MaxSize = max,
        InstanceTypes = [type],
        Zones = [Zone],
        CapacityType = capacityType,
        Tags = tags,
    };

    public static NodeGroup Group2(int desired = 0, int max = 10) => Group("eks-group2", 0, desired, max, Xlarge(), Labels.CapacityTypeSpot, new()
    {
        [NodeGroupTemplate.EnabledTag] = "true",
        [NodeGroupTemplate.Prefix + "my-cluster"] = "owned",
        [NodeGroupTemplate.LabelPrefix + "role"] = "group2",
        [NodeGroupTemplate.TaintPrefix + "dedicated"] = "group2:NoSchedule",
    });

    public static NodeGroup Group1(InstanceType? type = null, int max = 2) => Group("eks-group1", 1, 1, max,
        type ?? FakeInstanceTypes.Create("t3.medium", "1930m", "3Gi", 17, FakeInstanceTypes.OnDemand(0.0416, Zone)), Labels.CapacityTypeOnDemand, new()
        {
            [NodeGroupTemplate.EnabledTag] = "true",
            [NodeGroupTemplate.Prefix + "my-cluster"] = "owned",
            [NodeGroupTemplate.LabelPrefix + "role"] = "group1",
        });

    /// <summary>A pod of the seed's inflate deployment: 1 vCPU, role=group2, tolerating the group's taint.</summary>
    public static PodBuilder Inflate(string name) => new PodBuilder(name).Cpu("1").NodeSelector("role", "group2")
        .Tolerate(Toleration.Equal("dedicated", "group2", TaintEffect.NoSchedule));
}
