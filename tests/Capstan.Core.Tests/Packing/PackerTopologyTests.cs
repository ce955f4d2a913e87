using Capstan.Core.Packing;
using Capstan.Core.Scheduling;
using Capstan.Testing;
using static Capstan.Core.Tests.Packing.PackerTestKit;

namespace Capstan.Core.Tests.Packing;

public sealed class PackerTopologyTests
{
    [Fact]
    public void Solve_ZoneSpreadDoNotSchedule_KeepsSkewWithinOne()
    {
        var template = new PodBuilder("web").Cpu("1").Label("app", "web").Spread(Labels.Zone).Build();
        var snapshot = Snapshot(PodBuilder.Replicas(template, "web", 7));

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        var perZone = plan.NodeClaims.SelectMany(c => c.Pods.Select(_ => ZoneOf(plan, c))).GroupBy(z => z).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, perZone.Count);
        Assert.True(perZone.Values.Max() - perZone.Values.Min() <= 1, string.Join(",", perZone));
    }

    [Fact]
    public void Solve_ZoneSpread_CountsPodsOnExistingNodes()
    {
        var running = new PodBuilder("web-old").Cpu("1").Label("app", "web").Build();
        var full = Node("busy", "1", "4Gi", "test-zone-1", running);
        var template = new PodBuilder("web").Cpu("1").Label("app", "web").Spread(Labels.Zone).Build();
        var snapshot = Snapshot(PodBuilder.Replicas(template, "web", 2)) with { Nodes = [full] };

        var plan = Packer.Solve(snapshot);

        Assert.DoesNotContain(plan.NodeClaims, c => ZoneOf(plan, c) == "test-zone-1");
    }

    [Fact]
    public void Solve_HostnameSpread_PutsAtMostMaxSkewPerNode()
    {
        var template = new PodBuilder("web").Cpu("100m").Label("app", "web").Spread(Labels.Hostname, maxSkew: 2).Build();
        var snapshot = Snapshot(PodBuilder.Replicas(template, "web", 6));

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.All(plan.NodeClaims, c => Assert.True(c.Pods.Count <= 2));
        Assert.Equal(3, plan.NodeClaims.Count);
    }

    [Theory]
    [InlineData(false, 3, 0)]
    [InlineData(true, 1, 2)]
    public void Solve_HostnameSpreadOnOneNode_ScheduleAnywayIsRelaxed_DoNotScheduleIsNot(bool doNotSchedule, int placed, int unschedulable)
    {
        var template = new PodBuilder("web").Cpu("1").Label("app", "web").Spread(Labels.Hostname, maxSkew: 1, doNotSchedule).Build();
        var snapshot = Snapshot(PodBuilder.Replicas(template, "web", 3)) with { Nodes = [Node("only", "4", "16Gi")], Provisioners = [] };

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Equal(placed, plan.ExistingNodes.Sum(n => n.Pods.Count));
        Assert.Equal(unschedulable, plan.Unschedulable.Count);
    }

    [Fact]
    public void Solve_HostnameAntiAffinity_OnePodPerNode()
    {
        var template = new PodBuilder("nginx").Cpu("100m").Label("app", "nginx").AntiAffinity(Labels.Hostname, LabelSelector.MatchLabels("app", "nginx")).Build();
        var snapshot = Snapshot(PodBuilder.Replicas(template, "nginx", 4));

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Equal(4, plan.NodeClaims.Count);
        Assert.All(plan.NodeClaims, c => Assert.Single(c.Pods));
    }

    [Fact]
    public void Solve_AntiAffinityOfRunningPod_KeepsMatchingPodsAway()
    {
        var guard = new PodBuilder("guard").Cpu("100m").AntiAffinity(Labels.Hostname, LabelSelector.MatchLabels("app", "noisy")).Build();
        var node = Node("node-a", "4", "16Gi", "test-zone-1", guard);
        var noisy = new PodBuilder("noisy").Cpu("100m").Label("app", "noisy").Build();
        var quiet = new PodBuilder("quiet").Cpu("100m").Label("app", "quiet").Build();
        var snapshot = Snapshot([noisy, quiet]) with { Nodes = [node] };

        var plan = Packer.Solve(snapshot);

        var where = Placements(plan);
        Assert.Equal("node-a", where["default/quiet"]);
        Assert.NotEqual("node-a", where["default/noisy"]);
    }

    [Fact]
    public void Solve_ZoneAntiAffinity_SpreadsAcrossZonesAndRefusesTheFourth()
    {
        var template = new PodBuilder("db").Cpu("1").Label("app", "db").AntiAffinity(Labels.Zone, LabelSelector.MatchLabels("app", "db")).Build();
        var snapshot = Snapshot(PodBuilder.Replicas(template, "db", 4));

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Equal(3, plan.NodeClaims.Select(c => ZoneOf(plan, c)).Distinct().Count());
        Assert.Contains("pod anti-affinity", Assert.Single(plan.Unschedulable).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_ZonalSelfAffinity_KeepsTheGroupInOneZone()
    {
        var selector = LabelSelector.MatchLabels("app", "cache");
        var template = new PodBuilder("cache").Cpu("3").Label("app", "cache").Affinity(Labels.Zone, selector).Build();
        var snapshot = Snapshot(PodBuilder.Replicas(template, "cache", 5));

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Single(plan.NodeClaims.Select(c => ZoneOf(plan, c)).Distinct());
    }

    [Fact]
    public void Solve_PreferredAntiAffinity_SpreadsWhenRoom_RelaxesOtherwise()
    {
        var selector = LabelSelector.MatchLabels("app", "api");
        var template = new PodBuilder("api").Cpu("100m").Label("app", "api").PreferredAntiAffinity(50, Labels.Hostname, selector).Build();
        var node = Node("only", "4", "16Gi");
        var snapshot = Snapshot(PodBuilder.Replicas(template, "api", 2)) with { Nodes = [node], Provisioners = [] };

        var plan = Packer.Solve(snapshot);

        Assert.Empty(plan.Unschedulable);
        Assert.Equal(2, Assert.Single(plan.ExistingNodes).Pods.Count);
    }
}
