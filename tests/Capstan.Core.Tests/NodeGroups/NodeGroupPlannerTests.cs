using Capstan.Core.Cluster;
using Capstan.Core.NodeGroups;
using Capstan.Core.Packing;
using Capstan.Core.Pods;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Core.Tests.Packing;
using Capstan.Testing;
using static Capstan.Core.Tests.NodeGroups.NodeGroupKit;

namespace Capstan.Core.Tests.NodeGroups;

/// <summary>Planning a batch over Provisioners and node groups together, with the seed's groups.</summary>
public sealed class NodeGroupPlannerTests
{
    private static readonly Expander s_leastWaste = new([Expander.LeastWaste], new Random(1));

    private static IReadOnlyList<PodRequest> InflatePods(int count) => [.. Enumerable.Range(0, count).Select(i => Inflate($"inflate-{i}").Build())];

    [Fact]
    public void GroupAtSizeZeroGrowsByTheNodesItsPodsNeed()
    {
        // The seed: five 1-vCPU pods for group 2, whose c5.xlarge takes three after system overhead.
        var snapshot = PackerTestKit.Snapshot(InflatePods(5));
        var result = NodeGroupPlanner.Plan(snapshot, [Group1(), Group2()], s_leastWaste);

        var scaleUp = Assert.Single(result.ScaleUps);
        Assert.Equal("eks-group2", scaleUp.Group.Name);
        Assert.Equal((0, 2), (scaleUp.From, scaleUp.To));
        Assert.Equal(5, scaleUp.Pods.Count);
        Assert.Empty(result.Plan.NodeClaims);
        Assert.Empty(result.Plan.Unschedulable);
    }

    [Fact]
    public void NeverAsksBeyondTheGroupsMaximum()
    {
        var snapshot = PackerTestKit.Snapshot(InflatePods(9));
        var result = NodeGroupPlanner.Plan(snapshot, [Group2(desired: 1, max: 3)], s_leastWaste);

        var scaleUp = Assert.Single(result.ScaleUps);
        Assert.Equal((1, 3), (scaleUp.From, scaleUp.To));
        Assert.Equal(6, scaleUp.Pods.Count);
        Assert.Equal(3, result.Plan.Unschedulable.Count);
    }

    [Fact]
    public void AGroupAtItsMaximumIsNotAnOption()
    {
        var result = NodeGroupPlanner.Plan(PackerTestKit.Snapshot(InflatePods(2)), [Group2(desired: 10, max: 10)], s_leastWaste);

        Assert.Empty(result.ScaleUps);
        Assert.Equal(2, result.Plan.Unschedulable.Count);
    }

    [Fact]
    public void CapacityAlreadyAskedForTakesPodsWithoutAskingAgain()
    {
        // The first batch grew group 2 by one node that has not registered: it stands in the snapshot as a node.
        var group = Group2(desired: 1);
        var inFlight = new NodeView
        {
            Name = "eks-group2/scale-up-1",
            Labels = group.Template.Labels,
            Taints = group.Template.Taints,
            Allocatable = group.PlannedType!.Allocatable,
            InFlight = true,
        };
        var snapshot = PackerTestKit.Snapshot(InflatePods(4)) with { Nodes = [inFlight] };
        var result = NodeGroupPlanner.Plan(snapshot, [group], s_leastWaste);

        var placed = Assert.Single(result.Plan.ExistingNodes);
        Assert.Equal(inFlight.Name, placed.NodeName);
        Assert.Equal(3, placed.Pods.Count);
        var scaleUp = Assert.Single(result.ScaleUps);
        Assert.Equal((1, 2), (scaleUp.From, scaleUp.To));
        Assert.Single(scaleUp.Pods);
    }

    [Fact]
    public void PodsOnlyAProvisionerCanTakeGetNodeClaimsNextToTheGroupsScaleUp()
    {
        var apps = Enumerable.Range(0, 3).Select(i => PackerTestKit.Pod($"app-{i}")).ToList();
        var snapshot = PackerTestKit.Snapshot([.. InflatePods(3), .. apps]);
        var result = NodeGroupPlanner.Plan(snapshot, [Group2()], s_leastWaste);

        var scaleUp = Assert.Single(result.ScaleUps);
        Assert.Equal(3, scaleUp.Pods.Count);
        Assert.All(scaleUp.Pods, p => Assert.StartsWith("inflate-", p.Name, StringComparison.Ordinal));
        Assert.Equal(apps.Select(p => p.Key).Order(), result.Plan.NodeClaims.SelectMany(c => c.Pods).Select(p => p.Key).Order());
        Assert.All(result.Plan.NodeClaims, c => Assert.Equal("default", c.Provisioner));
    }

    [Fact]
    public void LeastWasteChoosesTheProvisionersWhenTheGroupsTypeIsTooLarge()
    {
        // Two 1-vCPU pods that either group 1 (a 16-vCPU type) or the default provisioner (gp.large, 2 vCPU) can take.
        var big = FakeInstanceTypes.Create("m5.4xlarge", "16", "64Gi", 234, FakeInstanceTypes.OnDemand(0.768, Zone));
        var pods = new[] { PackerTestKit.Pod("a"), PackerTestKit.Pod("b") };
        var result = NodeGroupPlanner.Plan(PackerTestKit.Snapshot(pods), [Group1(big)], s_leastWaste);

        Assert.Empty(result.ScaleUps);
        Assert.Equal(2, result.Plan.NodeClaims.Sum(c => c.Pods.Count));
    }

    [Fact]
    public void PriorityExpanderPrefersTheGroupItRanksHigher()
    {
        var big = FakeInstanceTypes.Create("m5.4xlarge", "16", "64Gi", 234, FakeInstanceTypes.OnDemand(0.768, Zone));
        var pods = new[] { PackerTestKit.Pod("a"), PackerTestKit.Pod("b") };
        var priorities = ExpanderPriorities.Create(new Dictionary<int, IReadOnlyList<string>> { [50] = [".*group1.*"], [10] = ["default"] }, out var problems);
        Assert.Empty(problems);
        var expander = new Expander([Expander.Priority, Expander.LeastWaste], new Random(1));

        var result = NodeGroupPlanner.Plan(PackerTestKit.Snapshot(pods), [Group1(big)], expander, priorities);

        var scaleUp = Assert.Single(result.ScaleUps);
        Assert.Equal(("eks-group1", 1, 2), (scaleUp.Group.Name, scaleUp.From, scaleUp.To));
        Assert.Empty(result.Plan.NodeClaims);
    }

    [Fact]
    public void AGroupWhoseTypesAreUnknownIsSkipped()
    {
        var unresolved = Group2() with { InstanceTypes = [] };
        var result = NodeGroupPlanner.Plan(PackerTestKit.Snapshot(InflatePods(2)), [unresolved], s_leastWaste);

        Assert.Empty(result.ScaleUps);
        Assert.Equal(2, result.Plan.Unschedulable.Count);
    }

    [Fact]
    public void TheGroupPlansAsAProvisionerOfItsFirstTypeZonesCapacityTypeLabelsAndTaints()
    {
        var group = Group2() with { InstanceTypes = [Xlarge("c5.xlarge"), Xlarge("c5a.xlarge"), Xlarge("m5.xlarge")] };
        var provisioner = NodeGroupPlanner.AsProvisioner(group);

        Assert.Equal("nodegroup/eks-group2", provisioner.Name);
        Assert.Equal(["c5.xlarge"], provisioner.Requirements.Get(Labels.InstanceType)!.Values);
        Assert.Equal([Labels.CapacityTypeSpot], provisioner.Requirements.Get(Labels.CapacityType)!.Values);
        Assert.Equal([Zone], provisioner.Requirements.Get(Labels.Zone)!.Values);
        Assert.Equal("group2", provisioner.Labels["role"]);
        Assert.Equal(new Taint("dedicated", "group2", TaintEffect.NoSchedule), Assert.Single(provisioner.Taints));
        Assert.Equal(Quantity.Parse("35"), provisioner.Limits!.Cpu);
    }

    [Fact]
    public void WithoutGroupsThePlanIsThePackersOwn()
    {
        var snapshot = PackerTestKit.Snapshot([PackerTestKit.Pod("a")]);
        var result = NodeGroupPlanner.Plan(snapshot, [], s_leastWaste);

        Assert.Empty(result.ScaleUps);
        Assert.Equal(Packer.Solve(snapshot).NodeClaims.Count, result.Plan.NodeClaims.Count);
    }
}
