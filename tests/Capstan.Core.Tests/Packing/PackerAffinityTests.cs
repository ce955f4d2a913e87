using Capstan.Core.Packing;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Testing;
using static Capstan.Core.Tests.Packing.PackerTestKit;

namespace Capstan.Core.Tests.Packing;

/// <summary>Inter-pod affinity and anti-affinity, as kube-scheduler applies them, in the packing core.</summary>
public sealed class PackerAffinityTests
{
    private static readonly LabelSelector s_appA = LabelSelector.MatchLabels("app", "a");

    [Fact]
    public void RequiredHostnameAffinity_JoinsTheNodeOfTheMatchingPod()
    {
        var nodeA = Node("node-a", "4", "16Gi", "test-zone-1", new PodBuilder("a-0").Cpu("1").Label("app", "a").Build());
        var nodeB = Node("node-b", "4", "16Gi", "test-zone-1");
        var pod = new PodBuilder("b").Cpu("1").Affinity(Labels.Hostname, s_appA).Build();
        var snapshot = Snapshot([pod]) with { Nodes = [nodeB, nodeA] };

        var plan = Packer.Solve(snapshot);

        Assert.Equal("node-a", Placements(plan)["default/b"]);
    }

    [Fact]
    public void RequiredAffinity_NoMatchingPodAnywhere_IsUnschedulableNamingTheTerm()
    {
        var pod = new PodBuilder("b").Cpu("1").Label("app", "b").Affinity(Labels.Zone, s_appA).Build();

        var plan = Packer.Solve(Snapshot([pod]));

        var reason = Assert.Single(plan.Unschedulable).Reason;
        Assert.Contains("pod affinity topology.kubernetes.io/zone app In [a]", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RequiredZoneAffinity_NewClaimGoesToTheZoneOfTheMatchingPod()
    {
        var full = Node("node-a", "1", "4Gi", "test-zone-2", new PodBuilder("a-0").Cpu("1").Label("app", "a").Build());
        var pod = new PodBuilder("b").Cpu("1").Affinity(Labels.Zone, s_appA).Build();
        var snapshot = Snapshot([pod]) with { Nodes = [full] };

        var plan = Packer.Solve(snapshot);

        Assert.Equal("test-zone-2", ZoneOf(plan, Assert.Single(plan.NodeClaims)));
    }

    [Fact]
    public void SelfAffinity_NoDomainHoldsThemAll_ReasonSaysSo()
    {
        var anchor = Node("node-a", "2", "8Gi", "test-zone-1", new PodBuilder("db-0").Cpu("500m").Label("app", "db").Build());
        var zoneTwoAndThree = PackerTestKit.GeneralPurpose()
            .Select(t => FakeInstanceTypes.Create(t.Name, t.Allocatable.Cpu.ToString(), t.Allocatable.Memory.ToBinaryString(), 58,
                FakeInstanceTypes.OnDemand(t.Offerings[0].PricePerHour, "test-zone-2", "test-zone-3")))
            .ToList();
        var template = new PodBuilder("db").Cpu("1").Label("app", "db").Affinity(Labels.Zone, LabelSelector.MatchLabels("app", "db")).Build();
        var snapshot = Snapshot(PodBuilder.Replicas(template, "db", 3), zoneTwoAndThree) with { Nodes = [anchor] };

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Single(plan.ExistingNodes);
        Assert.Empty(plan.NodeClaims);
        Assert.Equal(2, plan.Unschedulable.Count);
        Assert.All(plan.Unschedulable, u => Assert.Contains("pod affinity topology.kubernetes.io/zone", u.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void AntiAffinity_OtherNamespaceOnly_IgnoresSameNamespacePods()
    {
        var term = new PodAffinityTerm(s_appA, Labels.Hostname, ["other"]);
        var guard = new PodBuilder("guard").Cpu("2").Build() with { RequiredPodAntiAffinity = [term] };
        var neighbour = new PodBuilder("a-0").Cpu("1").Label("app", "a").Build();

        var plan = Packer.Solve(Snapshot([guard, neighbour]));

        Assert.Single(plan.NodeClaims);
    }

    [Fact]
    public void AntiAffinity_AllNamespaces_KeepsPodsOfEveryNamespaceAway()
    {
        var term = new PodAffinityTerm(s_appA, Labels.Hostname, [], AllNamespaces: true);
        var guard = new PodBuilder("guard").Cpu("2").Build() with { RequiredPodAntiAffinity = [term] };
        var neighbour = new PodBuilder("a-0", "team-b").Cpu("1").Label("app", "a").Build();

        var plan = Packer.Solve(Snapshot([guard, neighbour]));

        Assert.Equal(2, plan.NodeClaims.Count);
    }

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> TeamNamespaces() => new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["default"] = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "default" },
        ["team-a"] = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "team-a", ["tier"] = "front" },
        ["team-b"] = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "team-b", ["tier"] = "back" },
    };

    [Theory]
    [InlineData("team-a", 2)] // its namespace's labels match: kept apart
    [InlineData("team-b", 1)] // they do not: may share
    [InlineData("default", 1)] // the guard's own namespace is not implied once a selector is given
    public void AntiAffinity_NamespaceSelector_SelectsNamespacesByTheirLabels(string neighbourNamespace, int claims)
    {
        var term = new PodAffinityTerm(s_appA, Labels.Hostname, [], NamespaceSelector: LabelSelector.MatchLabels("tier", "front"));
        var guard = new PodBuilder("guard").Cpu("2").Build() with { RequiredPodAntiAffinity = [term] };
        var neighbour = new PodBuilder("a-0", neighbourNamespace).Cpu("1").Label("app", "a").Build();

        var plan = Packer.Solve(Snapshot([guard, neighbour]) with { NamespaceLabels = TeamNamespaces() });

        Assert.Equal(claims, plan.NodeClaims.Count);
    }

    [Fact]
    public void AntiAffinity_NamespaceSelectorOfARunningPod_KeepsNewPodsOfMatchingNamespacesAway()
    {
        var term = new PodAffinityTerm(s_appA, Labels.Hostname, [], NamespaceSelector: LabelSelector.MatchLabels("tier", "front"));
        var guard = new PodBuilder("guard").Cpu("1").Build() with { RequiredPodAntiAffinity = [term] };
        var node = Node("node-a", "4", "16Gi", "test-zone-1", guard);
        var front = new PodBuilder("a-0", "team-a").Cpu("1").Label("app", "a").Build();
        var back = new PodBuilder("a-1", "team-b").Cpu("1").Label("app", "a").Build();

        var plan = Packer.Solve(Snapshot([front, back]) with { Nodes = [node], NamespaceLabels = TeamNamespaces() });

        var where = Placements(plan);
        Assert.NotEqual("node-a", where["team-a/a-0"]);
        Assert.Equal("node-a", where["team-b/a-1"]);
    }

    [Fact]
    public void AntiAffinity_NamespaceSelector_NamespaceLabelsUnknown_CountsTheListedNamespacesElseThePodsOwn()
    {
        var term = new PodAffinityTerm(s_appA, Labels.Hostname, [], NamespaceSelector: LabelSelector.MatchLabels("tier", "front"));
        var guard = new PodBuilder("guard").Cpu("2").Build() with { RequiredPodAntiAffinity = [term] };
        var sameNamespace = new PodBuilder("a-0").Cpu("1").Label("app", "a").Build();

        var plan = Packer.Solve(Snapshot([guard, sameNamespace]));

        Assert.Equal(2, plan.NodeClaims.Count);
    }

    [Fact]
    public void AntiAffinity_IsSymmetricAmongPendingPods()
    {
        var guard = new PodBuilder("guard").Cpu("2").AntiAffinity(Labels.Hostname, s_appA).Build();
        var target = new PodBuilder("a-0").Cpu("1").Label("app", "a").Build();
        var other = new PodBuilder("c-0").Cpu("1").Label("app", "c").Build();

        var plan = Packer.Solve(Snapshot([guard, target, other]));

        var where = Placements(plan);
        Assert.NotEqual(where["default/guard"], where["default/a-0"]);
        Assert.Equal(where["default/guard"], where["default/c-0"]);
    }

    [Fact]
    public void CustomTopologyKey_FromProvisionerLabels_SpreadsAcrossRacks()
    {
        var rack1 = Provisioner("rack-1") with { Labels = new Dictionary<string, string> { ["rack"] = "r1" } };
        var rack2 = Provisioner("rack-2") with { Labels = new Dictionary<string, string> { ["rack"] = "r2" } };
        var template = new PodBuilder("web").Cpu("1").Label("app", "web").AntiAffinity("rack", LabelSelector.MatchLabels("app", "web")).Build();
        var snapshot = Snapshot(PodBuilder.Replicas(template, "web", 3), null, rack1, rack2);

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Equal(["r1", "r2"], plan.NodeClaims.Select(c => c.Labels["rack"]).Order());
        Assert.Contains("pod anti-affinity rack", Assert.Single(plan.Unschedulable).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void PreferredAffinity_IsHonouredWhenPossible_AndRelaxedOtherwise()
    {
        var anchor = Node("node-a", "1", "4Gi", "test-zone-3", new PodBuilder("a-0").Cpu("1").Label("app", "a").Build());
        var follower = new PodBuilder("f").Cpu("1").PreferredAffinityTo(10, Labels.Zone, s_appA).Build();
        var stranger = new PodBuilder("s").Cpu("1").PreferredAffinityTo(10, Labels.Zone, LabelSelector.MatchLabels("app", "nobody")).Build();
        var snapshot = Snapshot([follower, stranger]) with { Nodes = [anchor] };

        var plan = Packer.Solve(snapshot);

        Assert.Empty(plan.Unschedulable);
        var followerClaim = plan.NodeClaims.Single(c => c.Pods.Any(p => p.Name == "f"));
        Assert.Equal("test-zone-3", ZoneOf(plan, followerClaim));
    }

    [Fact]
    public void PreferredTerms_AreRelaxedLightestFirst()
    {
        var pod = new PodBuilder("a").Cpu("1")
            .PreferredAffinity(50, Requirement.In(Labels.Zone, "test-zone-2"))
            .PreferredAffinity(1, Requirement.In(Labels.Zone, "mars-1"))
            .Build();

        var plan = Packer.Solve(Snapshot([pod]));

        Assert.Equal("test-zone-2", ZoneOf(plan, Assert.Single(plan.NodeClaims)));
    }

    [Fact]
    public void PreferredAntiAffinity_ImpossibleAtZoneLevel_IsRelaxed()
    {
        var template = new PodBuilder("api").Cpu("1").Label("app", "api").PreferredAntiAffinity(10, Labels.Zone, LabelSelector.MatchLabels("app", "api")).Build();
        var snapshot = Snapshot(PodBuilder.Replicas(template, "api", 5));

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        Assert.Empty(plan.Unschedulable);
        Assert.Equal(3, plan.NodeClaims.Select(c => ZoneOf(plan, c)).Distinct().Count());
    }

    [Fact]
    public void RequiredAffinity_CountsPodsPlacedEarlierInThePlan()
    {
        var leader = new PodBuilder("leader").Cpu("2").Label("app", "a").Build();
        var follower = new PodBuilder("follower").Cpu("1").Affinity(Labels.Hostname, s_appA).Build();

        var plan = Packer.Solve(Snapshot([leader, follower]));

        var where = Placements(plan);
        Assert.Equal(where["default/leader"], where["default/follower"]);
        Assert.Equal(Quantity.Parse("3"), Assert.Single(plan.NodeClaims).Requests.Cpu);
    }
}
