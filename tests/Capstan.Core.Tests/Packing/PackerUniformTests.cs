using Capstan.Core.InstanceTypes;
using Capstan.Core.Packing;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Testing;
using static Capstan.Core.Tests.Packing.PackerTestKit;

namespace Capstan.Core.Tests.Packing;

/// <summary>Identical pods free of placement rules are bought as the cheapest fleet for their count.</summary>
public sealed class PackerUniformTests
{
    /// <summary>The middle size is the cheapest per cpu; the large one costs more per cpu than the small one.</summary>
    private static IReadOnlyList<InstanceType> Uneven() =>
    [
        FakeInstanceTypes.Create("u.large", "2", "8Gi", 29, FakeInstanceTypes.OnDemand(0.10)),
        FakeInstanceTypes.Create("u.xlarge", "4", "16Gi", 58, FakeInstanceTypes.OnDemand(0.17)),
        FakeInstanceTypes.Create("u.2xlarge", "8", "32Gi", 58, FakeInstanceTypes.OnDemand(0.36)),
    ];

    [Theory]
    [InlineData(7, 0.34)] // 2 x u.xlarge (a u.2xlarge costs 0.36, u.xlarge + u.large + u.large 0.37)
    [InlineData(10, 0.44)] // 2 x u.xlarge + u.large
    [InlineData(16, 0.68)] // 4 x u.xlarge
    public void Solve_IdenticalPods_BuyTheCheapestFleet(int count, double optimum)
    {
        var snapshot = Snapshot(PodBuilder.Replicas(Pod("web"), "web", count), Uneven());

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Empty(plan.Unschedulable);
        Assert.Equal(optimum, plan.TotalPricePerHour, 6);
        Assert.Equal(plan.NodeClaims.Count, plan.NodeClaims.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void Solve_IdenticalPodsWithHostnameAntiAffinity_KeepOnePodPerNode()
    {
        var template = new PodBuilder("web").Cpu("1").Memory("1Gi").Label("app", "web")
            .AntiAffinity(Labels.Hostname, LabelSelector.MatchLabels("app", "web")).Build();
        var snapshot = Snapshot(PodBuilder.Replicas(template, "web", 7), Uneven());

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Equal(7, plan.NodeClaims.Count);
        Assert.All(plan.NodeClaims, c => Assert.Single(c.Pods));
    }

    [Fact]
    public void Solve_IdenticalPods_CheaperFleetStaysWithinLimits()
    {
        // The cheapest fleet is 2 x u.xlarge; with u.2xlarge still among their options they would hold back
        // 16 cpu, more than the limit of 14, so each keeps only the options up to a u.xlarge.
        var limited = Provisioner() with { Limits = ResourceList.Of("cpu", "14") };
        var snapshot = Snapshot(PodBuilder.Replicas(Pod("web"), "web", 7), Uneven(), limited);

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Empty(plan.Unschedulable);
        Assert.Equal(0.34, plan.TotalPricePerHour, 6);
        var reserved = plan.NodeClaims.Sum(c => c.InstanceTypeOptions.Max(o => o.InstanceType.Capacity.Cpu.MilliValue));
        Assert.True(reserved <= 14000, $"reserved {reserved}m cpu against a limit of 14");
    }
}
