using Capstan.Core.InstanceTypes;
using Capstan.Core.NodeGroups;
using Capstan.Core.Pods;
using Capstan.Core.Scheduling;
using Capstan.Core.Tests.Packing;
using Capstan.Testing;
using static Capstan.Core.Tests.NodeGroups.NodeGroupKit;

namespace Capstan.Core.Tests.NodeGroups;

/// <summary>
/// Balancing similar groups (Cluster Autoscaler's <c>--balance-similar-node-groups</c>): one group per zone, the nodes
/// of a scale-up spread so that their sizes even out; groups that differ, or whose nodes the pods cannot use, are not
/// balanced with.
/// </summary>
public sealed class NodeGroupBalancingTests
{
    private static readonly Expander s_leastWaste = new([Expander.LeastWaste], new Random(1));

    private static readonly NodeGroupBalancing s_on = NodeGroupBalancing.On([]);

    private static InstanceType XlargeIn(string zone, string name = "c5.xlarge", string memory = "7Gi") =>
        FakeInstanceTypes.Create(name, "3500m", memory, 58, [new Offering(zone, Labels.CapacityTypeSpot, 0.07)]);

    /// <summary>Group 2's kind of group, kept to one zone, as managed node groups are often made one per zone.</summary>
    private static NodeGroup ZoneGroup(string zone, int desired = 0, int max = 10, string? type = null, Dictionary<string, string>? extraTags = null)
    {
        var tags = new Dictionary<string, string>(Group2().Tags, StringComparer.Ordinal)
        {
            [NodeGroupTemplate.LabelPrefix + "eks.amazonaws.com/nodegroup"] = "apps-" + zone,
        };
        foreach (var (key, value) in extraTags ?? [])
        {
            tags[key] = value;
        }

        return Group("apps-" + zone, 0, desired, max, XlargeIn(zone, type ?? "c5.xlarge"), Labels.CapacityTypeSpot, tags) with { Zones = [zone] };
    }

    private static IReadOnlyList<PodRequest> InflatePods(int count) => [.. Enumerable.Range(0, count).Select(i => Inflate($"inflate-{i}").Build())];

    private static IReadOnlyList<(string Group, int From, int To, int Pods)> ScaleUps(NodeGroupPlan plan) =>
        [.. plan.ScaleUps.Select(s => (s.Group.Name, s.From, s.To, s.Pods.Count)).OrderBy(s => s.Name, StringComparer.Ordinal)];

    [Fact]
    public void ThreeNodesForThreeZoneGroupsAtZero_OneEach_WithTheirShareOfThePods()
    {
        var groups = new[] { ZoneGroup("zone-a"), ZoneGroup("zone-b"), ZoneGroup("zone-c") };

        var plan = NodeGroupPlanner.Plan(PackerTestKit.Snapshot(InflatePods(9)), groups, s_leastWaste, balancing: s_on);

        Assert.Equal([("apps-zone-a", 0, 1, 3), ("apps-zone-b", 0, 1, 3), ("apps-zone-c", 0, 1, 3)], ScaleUps(plan));
        Assert.Empty(plan.Plan.Unschedulable);
        Assert.Equal(9, plan.ScaleUps.SelectMany(s => s.Pods).Select(p => p.Key).Distinct().Count());
    }

    [Fact]
    public void UnevenGroupsAreEvenedOut_TheSmallestFirst_WithinTheirMaximums()
    {
        var groups = new[] { ZoneGroup("zone-a", desired: 2), ZoneGroup("zone-b", desired: 0, max: 1), ZoneGroup("zone-c", desired: 1) };

        // Four nodes' worth of pods: b fills to its max of 1, then c and a share the rest by size.
        var plan = NodeGroupPlanner.Plan(PackerTestKit.Snapshot(InflatePods(12)), groups, s_leastWaste, balancing: s_on);

        var scaleUps = ScaleUps(plan);
        Assert.Equal([("apps-zone-a", 2, 3), ("apps-zone-b", 0, 1), ("apps-zone-c", 1, 3)], scaleUps.Select(s => (s.Group, s.From, s.To)));
        Assert.Equal(12, scaleUps.Sum(s => s.Pods));
    }

    [Fact]
    public void WithoutBalancing_TheExpandersGroupTakesEveryNode()
    {
        var groups = new[] { ZoneGroup("zone-a"), ZoneGroup("zone-b") };

        var plan = NodeGroupPlanner.Plan(PackerTestKit.Snapshot(InflatePods(6)), groups, s_leastWaste);

        Assert.Equal([("apps-zone-a", 0, 2, 6)], ScaleUps(plan));
    }

    [Fact]
    public void GroupsThatDifferInResourcesLabelsOrTaintsAreNotBalancedWith()
    {
        var bigger = ZoneGroup("zone-b", type: "c5.2xlarge") with
        {
            InstanceTypes = [FakeInstanceTypes.Create("c5.2xlarge", "7500m", "15Gi", 58, [new Offering("zone-b", Labels.CapacityTypeSpot, 0.14)])],
        };
        var team = ZoneGroup("zone-c", extraTags: new() { [NodeGroupTemplate.LabelPrefix + "team"] = "blue" });
        var tainted = ZoneGroup("zone-d", extraTags: new() { [NodeGroupTemplate.TaintPrefix + "gpu"] = "true:NoSchedule" });
        var a = ZoneGroup("zone-a");

        Assert.False(s_on.AreSimilar(a, bigger));
        Assert.False(s_on.AreSimilar(a, team));
        Assert.False(s_on.AreSimilar(a, tainted));
        Assert.True(s_on.AreSimilar(a, ZoneGroup("zone-e")));
        Assert.False(s_on.AreSimilar(a, ZoneGroup("zone-e") with { CapacityType = Labels.CapacityTypeOnDemand }));

        var plan = NodeGroupPlanner.Plan(PackerTestKit.Snapshot(InflatePods(6)), [a, bigger, team, tainted], s_leastWaste, balancing: s_on);
        Assert.Equal([("apps-zone-a", 0, 2, 6)], ScaleUps(plan));
    }

    [Fact]
    public void ALabelMadeIgnoredByConfiguration_NoLongerKeepsGroupsApart()
    {
        var blue = ZoneGroup("zone-a", extraTags: new() { [NodeGroupTemplate.LabelPrefix + "team"] = "blue" });
        var green = ZoneGroup("zone-b", extraTags: new() { [NodeGroupTemplate.LabelPrefix + "team"] = "green" });

        Assert.False(s_on.AreSimilar(blue, green));
        Assert.True(NodeGroupBalancing.On(["team"]).AreSimilar(blue, green));
    }

    [Fact]
    public void MemoryWithinToleranceIsTheSame_BeyondItIsNot()
    {
        var a = ZoneGroup("zone-a");
        var close = ZoneGroup("zone-b") with { InstanceTypes = [XlargeIn("zone-b", memory: "7100Mi")] };
        var far = ZoneGroup("zone-c") with { InstanceTypes = [XlargeIn("zone-c", memory: "8Gi")] };

        Assert.True(s_on.AreSimilar(a, close));
        Assert.False(s_on.AreSimilar(a, far));
    }

    [Fact]
    public void ASimilarGroupWhoseNodesThePodsCannotUse_GetsNoShare()
    {
        // The pods ask for zone-a: zone-b's group is like zone-a's in every other way, but no pod could run there.
        var pods = Enumerable.Range(0, 6).Select(i => Inflate($"inflate-{i}").NodeSelector(Labels.Zone, "zone-a").Build()).ToList();

        var plan = NodeGroupPlanner.Plan(PackerTestKit.Snapshot(pods), [ZoneGroup("zone-a"), ZoneGroup("zone-b")], s_leastWaste, balancing: s_on);

        Assert.Equal([("apps-zone-a", 0, 2, 6)], ScaleUps(plan));
    }

    [Fact]
    public void Split_GivesEachNodeToTheSmallestGroupWithRoom_TiesByName()
    {
        var groups = new[] { ZoneGroup("zone-b", desired: 1), ZoneGroup("zone-a", desired: 1), ZoneGroup("zone-c", desired: 3, max: 3) };

        var split = NodeGroupBalancing.Split(3, groups);

        Assert.Equal([("apps-zone-b", 1), ("apps-zone-a", 2)], split.Select(s => (s.Group.Name, s.Nodes)));
    }
}
