using Capstan.Core.Packing;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Testing;
using static Capstan.Core.Tests.Packing.PackerTestKit;

namespace Capstan.Core.Tests.Packing;

public sealed class PackerBasicsTests
{
    [Fact]
    public void Solve_UniformPods_PlacesEveryPodOnFittingNodes()
    {
        var pods = PodBuilder.Replicas(Pod("inflate"), "inflate", 10);
        var snapshot = Snapshot(pods);

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Empty(plan.Unschedulable);
        Assert.Equal(10, plan.NodeClaims.Sum(c => c.Pods.Count));
    }

    [Fact]
    public void Solve_NoPods_IsEmpty()
    {
        var plan = Packer.Solve(Snapshot([]));

        Assert.Empty(plan.NodeClaims);
        Assert.Equal(0, plan.TotalPricePerHour);
    }

    [Fact]
    public void Solve_SameSnapshot_SamePlan()
    {
        var snapshot = Snapshot(DiversePods.Create(300), FakeInstanceTypes.KarpenterBenchmark(50));

        var first = Describe(Packer.Solve(snapshot));
        var second = Describe(Packer.Solve(snapshot));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Solve_NodeSelectorNoProvisionerOffers_IsUnschedulableNamingTheLabel()
    {
        var pod = new PodBuilder("web").Cpu("1").NodeSelector("intent", "apps").Build();

        var plan = Packer.Solve(Snapshot([pod]));

        var reason = Assert.Single(plan.Unschedulable).Reason;
        Assert.Contains("intent", reason, StringComparison.Ordinal);
        Assert.Contains("default", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_NodeSelectorMatchesProvisionerLabel_PlacesAndLabelsNode()
    {
        var pod = new PodBuilder("web").Cpu("1").NodeSelector("intent", "apps").Build();
        var provisioner = Provisioner() with { Labels = new Dictionary<string, string> { ["intent"] = "apps" } };

        var plan = Packer.Solve(Snapshot([pod], null, provisioner));

        var claim = Assert.Single(plan.NodeClaims);
        Assert.Equal("apps", claim.Labels["intent"]);
    }

    [Fact]
    public void Solve_TaintNotTolerated_IsUnschedulable_ToleratedIsPlaced()
    {
        var tainted = Provisioner() with { Taints = [new Taint("dedicated", "gpu", TaintEffect.NoSchedule)] };
        var plain = new PodBuilder("a").Cpu("1").Build();
        var tolerant = new PodBuilder("b").Cpu("1").Tolerate(Toleration.Equal("dedicated", "gpu", TaintEffect.NoSchedule)).Build();

        var plan = Packer.Solve(Snapshot([plain, tolerant], null, tainted));

        var refused = Assert.Single(plan.Unschedulable);
        Assert.Equal("default/a", refused.Pod.Key);
        Assert.Contains("taint dedicated=gpu:NoSchedule is not tolerated", refused.Reason, StringComparison.Ordinal);
        Assert.Equal("default/b", Assert.Single(Assert.Single(plan.NodeClaims).Pods).Key);
    }

    [Fact]
    public void Solve_StartupTaints_NeedNoToleration()
    {
        var provisioner = Provisioner() with { StartupTaints = [new Taint("node.cilium.io/agent-not-ready", "true", TaintEffect.NoExecute)] };

        var plan = Packer.Solve(Snapshot([Pod("a")], null, provisioner));

        Assert.Empty(plan.Unschedulable);
        Assert.Single(Assert.Single(plan.NodeClaims).StartupTaints);
    }

    [Fact]
    public void Solve_PodTooBigForAnyType_NamesTheResource()
    {
        var plan = Packer.Solve(Snapshot([Pod("huge", "2", "200Gi")]));

        var reason = Assert.Single(plan.Unschedulable).Reason;
        Assert.Contains("no instance type has enough memory", reason, StringComparison.Ordinal);
        Assert.Contains("200Gi", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_ExistingNodeWithRoom_IsUsedBeforeNewClaims()
    {
        var node = Node("node-a", "4", "16Gi");
        var snapshot = Snapshot([Pod("a"), Pod("b")]) with { Nodes = [node] };

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Empty(plan.NodeClaims);
        Assert.Equal(2, Assert.Single(plan.ExistingNodes).Pods.Count);
    }

    [Fact]
    public void Solve_CordonedOrDeletingNodes_AreNotUsed()
    {
        var cordoned = Node("cordoned", "4", "16Gi") with { Unschedulable = true };
        var deleting = Node("deleting", "4", "16Gi") with { MarkedForDeletion = true };
        var snapshot = Snapshot([Pod("a")]) with { Nodes = [cordoned, deleting] };

        var plan = Packer.Solve(snapshot);

        Assert.Empty(plan.ExistingNodes);
        Assert.Single(plan.NodeClaims);
    }

    [Fact]
    public void Solve_ExistingNodeFull_OpensClaim()
    {
        var busy = Node("node-a", "2", "8Gi", "test-zone-1", Pod("running", "1500m"));
        var snapshot = Snapshot([Pod("a")]) with { Nodes = [busy] };

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Empty(plan.ExistingNodes);
        Assert.Single(plan.NodeClaims);
    }

    [Fact]
    public void Solve_HigherWeightProvisioner_IsTriedFirst()
    {
        var low = Provisioner("low", weight: 1);
        var high = Provisioner("high", weight: 50);

        var plan = Packer.Solve(Snapshot([Pod("a")], null, low, high));

        Assert.Equal("high", Assert.Single(plan.NodeClaims).Provisioner);
    }

    [Fact]
    public void Solve_HigherWeightProvisionerThatCannotTakeThePod_FallsBackToLower()
    {
        var high = Provisioner("high", weight: 50) with { Taints = [new Taint("team", "a", TaintEffect.NoSchedule)] };
        var low = Provisioner("low", weight: 1);

        var plan = Packer.Solve(Snapshot([Pod("a")], null, high, low));

        Assert.Equal("low", Assert.Single(plan.NodeClaims).Provisioner);
    }

    [Fact]
    public void Solve_Limits_AreNeverExceeded_AndExcessPodsSayWhy()
    {
        var limited = Provisioner() with { Limits = ResourceList.Of("cpu", "8") };
        var pods = PodBuilder.Replicas(Pod("p", "3", "1Gi"), "p", 6);
        var snapshot = Snapshot(pods, null, limited);

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        var launchedCpu = plan.NodeClaims.Sum(c => c.InstanceTypeOptions.Max(o => o.InstanceType.Capacity.Cpu.MilliValue));
        Assert.True(launchedCpu <= 8000, $"reserved {launchedCpu}m cpu against a limit of 8");
        Assert.NotEmpty(plan.Unschedulable);
        Assert.All(plan.Unschedulable, u => Assert.EndsWith("limits.resources.cpu 8 would be exceeded", u.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Solve_ManyIdenticalPodsPastALimit_EachSaysWhy_AndASmallerPodStillGetsTheRoomLeft()
    {
        // 3-cpu pods stop fitting under the limit long before the 1-cpu pods, which come after them in packing
        // order: the failures of the large ones must not be taken for the small ones.
        var limited = Provisioner() with { Limits = ResourceList.Of("cpu", "20") };
        var pods = PodBuilder.Replicas(Pod("big", "3", "1Gi"), "big", 300).Concat(PodBuilder.Replicas(Pod("small", "500m", "512Mi"), "small", 2)).ToList();
        var snapshot = Snapshot(pods, null, limited);

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        var placed = Placements(plan);
        Assert.Equal(300 - placed.Keys.Count(k => k.Contains("big", StringComparison.Ordinal)), plan.Unschedulable.Count(u => u.Pod.Name.StartsWith("big", StringComparison.Ordinal)));
        Assert.True(plan.Unschedulable.Count > 250, $"{plan.Unschedulable.Count} unschedulable");
        Assert.All(plan.Unschedulable, u => Assert.EndsWith("limits.resources.cpu 20 would be exceeded", u.Reason, StringComparison.Ordinal));
        Assert.Equal(2, placed.Keys.Count(k => k.Contains("small", StringComparison.Ordinal)));
    }

    [Fact]
    public void Solve_LimitReason_NamesTheResourceActuallyExceeded()
    {
        // Plenty of cpu left, memory is what runs out: the reason must name memory (in binary units), not cpu.
        var limited = Provisioner() with { Limits = ResourceList.Of("cpu", "1000", "memory", "20Gi") };
        var pods = PodBuilder.Replicas(Pod("p", "1", "12Gi"), "p", 4);
        var snapshot = Snapshot(pods, null, limited);

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.NotEmpty(plan.Unschedulable);
        Assert.All(plan.Unschedulable, u =>
        {
            Assert.EndsWith("limits.resources.memory 20Gi would be exceeded", u.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain("cpu", u.Reason, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Solve_HugeLimits_AreNoLimitAtAll()
    {
        // Karpenter's own scheduling benchmark sets memory: 10000000Gi, past what a long holds in milli-units.
        var limited = Provisioner() with { Limits = ResourceList.Of("cpu", "1000000", "memory", "10000000Gi") };
        var pods = PodBuilder.Replicas(Pod("p", "3", "1Gi"), "p", 20);
        var snapshot = Snapshot(pods, null, limited) with
        {
            Provisioners = [new ProvisionerState(limited) { Usage = ResourceList.Of("cpu", "100", "memory", "9000000Gi") }],
        };

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.True(plan.Unschedulable.Count == 0, string.Join("; ", plan.Unschedulable.Select(u => u.Reason)));
        Assert.Equal(20, plan.NodeClaims.Sum(c => c.Pods.Count));
    }

    [Fact]
    public void Solve_LimitsCountExistingUsage()
    {
        var limited = Provisioner() with { Limits = ResourceList.Of("cpu", "10") };
        var snapshot = Snapshot([Pod("a")], null, limited) with
        {
            Provisioners = [new ProvisionerState(limited) { Usage = ResourceList.Of("cpu", "9") }],
        };

        var plan = Packer.Solve(snapshot);

        Assert.Empty(plan.NodeClaims);
        Assert.Single(plan.Unschedulable);
    }

    [Fact]
    public void Solve_HostPortConflict_SeparatesPods()
    {
        var template = new PodBuilder("hp").Cpu("100m").HostPort(8080).Build();
        var pods = PodBuilder.Replicas(template, "hp", 3);
        var snapshot = Snapshot(pods);

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Equal(3, plan.NodeClaims.Count);
    }

    [Fact]
    public void Solve_ExtendedResource_OnlyTypesThatOfferIt()
    {
        var gpu = FakeInstanceTypes.Create("gpu.xlarge", "4", "16Gi", 58, FakeInstanceTypes.OnDemand(1.0), "amd64", (ResourceNames.NvidiaGpu, "1"));
        var types = PackerTestKit.GeneralPurpose().Append(gpu).ToList();
        var pod = new PodBuilder("train").Cpu("1").Request(ResourceNames.NvidiaGpu, "1").Build();

        var plan = Packer.Solve(Snapshot([pod], types));

        var claim = Assert.Single(plan.NodeClaims);
        Assert.Equal("gpu.xlarge", Assert.Single(claim.InstanceTypeOptions).InstanceType.Name);
    }

    [Fact]
    public void Solve_DaemonSetOverhead_IsAddedToEveryNewNode()
    {
        var daemon = new PodBuilder("agent", "kube-system").Cpu("500m").Memory("256Mi").Build();
        var snapshot = Snapshot([Pod("a", "1700m", "1Gi")]) with { DaemonSets = [daemon] };

        var plan = Packer.Solve(snapshot);

        var claim = Assert.Single(plan.NodeClaims);
        Assert.Equal("gp.xlarge", claim.Cheapest.InstanceType.Name); // 1.7 + 0.5 does not fit 2 cpu
        Assert.Equal(Quantity.Parse("2200m"), claim.Requests.Cpu);
    }

    [Fact]
    public void Solve_DaemonSetThatDoesNotTolerateTheTaint_AddsNoOverhead()
    {
        var daemon = new PodBuilder("agent", "kube-system").Cpu("500m").Build();
        var tainted = Provisioner() with { Taints = [new Taint("gpu", "", TaintEffect.NoSchedule)] };
        var pod = new PodBuilder("a").Cpu("1700m").Tolerate(Toleration.Exists("gpu")).Build();
        var snapshot = Snapshot([pod], null, tainted) with { DaemonSets = [daemon] };

        var plan = Packer.Solve(snapshot);

        Assert.Equal("gp.large", Assert.Single(plan.NodeClaims).Cheapest.InstanceType.Name);
    }

    [Fact]
    public void Solve_InstanceTypeOptions_AreCappedAndCheapestFirst()
    {
        var types = FakeInstanceTypes.KarpenterBenchmark(400);
        var snapshot = Snapshot([Pod("a", "100m", "100Mi")], types);

        var plan = Packer.Solve(snapshot);

        var claim = Assert.Single(plan.NodeClaims);
        Assert.Equal(60, claim.InstanceTypeOptions.Count);
        Assert.Equal("fake-it-0", claim.Cheapest.InstanceType.Name);
        AssertSound(snapshot, plan);
    }

    [Fact]
    public void Solve_RequiredAffinityTerms_AreOred()
    {
        var arm = FakeInstanceTypes.Create("arm.xlarge", "4", "16Gi", 58, FakeInstanceTypes.OnDemand(0.15), "arm64");
        var types = PackerTestKit.GeneralPurpose().Append(arm).ToList();
        var pod = new PodBuilder("a").Cpu("1")
            .RequiredAffinity(Requirement.In(Labels.Arch, "s390x"))
            .RequiredAffinity(Requirement.In(Labels.Arch, "arm64"))
            .Build();

        var plan = Packer.Solve(Snapshot([pod], types));

        Assert.Equal("arm.xlarge", Assert.Single(plan.NodeClaims).Cheapest.InstanceType.Name);
    }

    [Fact]
    public void Solve_PreferredNodeAffinity_IsHonouredWhenPossible()
    {
        var pod = new PodBuilder("a").Cpu("1").PreferredAffinity(10, Requirement.In(Labels.Zone, "test-zone-2")).Build();

        var plan = Packer.Solve(Snapshot([pod]));

        Assert.Equal("test-zone-2", Assert.Single(plan.NodeClaims).Requirements.Get(Labels.Zone)!.SingleValue);
    }

    [Fact]
    public void Solve_PreferredNodeAffinity_IsRelaxedWhenImpossible()
    {
        var pod = new PodBuilder("a").Cpu("1").PreferredAffinity(10, Requirement.In(Labels.Zone, "mars-1a")).Build();

        var plan = Packer.Solve(Snapshot([pod]));

        Assert.Empty(plan.Unschedulable);
        Assert.Single(plan.NodeClaims);
    }

    [Fact]
    public void Solve_ProvisionerRequirements_NarrowTheTypes()
    {
        var provisioner = Provisioner() with { Requirements = Requirements.Create(Requirement.NotIn(Labels.InstanceType, "gp.large")) };

        var plan = Packer.Solve(Snapshot([Pod("a", "500m", "512Mi")], null, provisioner));

        Assert.Equal("gp.xlarge", Assert.Single(plan.NodeClaims).Cheapest.InstanceType.Name);
    }

    [Fact]
    public void Solve_UnavailableOfferings_AreSkipped()
    {
        var offerings = new[] { new Capstan.Core.InstanceTypes.Offering("test-zone-1", Labels.CapacityTypeOnDemand, 0.05, Available: false) };
        var cheapButGone = FakeInstanceTypes.Create("gone.large", "2", "8Gi", 29, offerings);
        var types = PackerTestKit.GeneralPurpose().Append(cheapButGone).ToList();

        var plan = Packer.Solve(Snapshot([Pod("a")], types));

        Assert.DoesNotContain(plan.NodeClaims.Single().InstanceTypeOptions, o => o.InstanceType.Name == "gone.large");
    }

    internal static string Describe(Plan plan) =>
        string.Join("\n", plan.NodeClaims.Select(c => $"{c.Name} {c.Cheapest.InstanceType.Name} {c.Cheapest.Offering.Zone} {string.Join(",", c.Pods.Select(p => p.Name))}"))
        + "\n" + string.Join("\n", plan.Unschedulable.Select(u => $"{u.Pod.Key}: {u.Reason}"));
}
