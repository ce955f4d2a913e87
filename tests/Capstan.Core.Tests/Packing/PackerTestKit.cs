using Capstan.Core.Cluster;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Packing;
using Capstan.Core.Pods;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Testing;

namespace Capstan.Core.Tests.Packing;

/// <summary>Helpers shared by the packing tests: small type sets and the invariants every plan must keep.</summary>
internal static class PackerTestKit
{
    /// <summary>Four sizes of a general-purpose family with linear prices (0.05/vCPU), in three zones.</summary>
    public static IReadOnlyList<InstanceType> GeneralPurpose() =>
    [
        FakeInstanceTypes.Create("gp.large", "2", "8Gi", 29, FakeInstanceTypes.OnDemand(0.10)),
        FakeInstanceTypes.Create("gp.xlarge", "4", "16Gi", 58, FakeInstanceTypes.OnDemand(0.20)),
        FakeInstanceTypes.Create("gp.2xlarge", "8", "32Gi", 58, FakeInstanceTypes.OnDemand(0.40)),
        FakeInstanceTypes.Create("gp.4xlarge", "16", "64Gi", 234, FakeInstanceTypes.OnDemand(0.80)),
    ];

    public static Provisioner Provisioner(string name = "default", int weight = 0) => new() { Name = name, Weight = weight };

    public static Snapshot Snapshot(IReadOnlyList<PodRequest> pods, IReadOnlyList<InstanceType>? types = null, params Provisioner[] provisioners) => new()
    {
        PendingPods = pods,
        Provisioners = [.. (provisioners.Length == 0 ? [Provisioner()] : provisioners).Select(p => new ProvisionerState(p))],
        InstanceTypes = types ?? GeneralPurpose(),
    };

    public static PodRequest Pod(string name, string cpu = "1", string memory = "1Gi") => new PodBuilder(name).Cpu(cpu).Memory(memory).Build();

    /// <summary>Checks what must hold for any plan: every pod placed once, every claim's pods fit its chosen type.</summary>
    public static void AssertSound(Snapshot snapshot, Plan plan)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in plan.NodeClaims)
        {
            Assert.NotEmpty(claim.InstanceTypeOptions);
            Assert.True(claim.InstanceTypeOptions.Count <= snapshot.Options.MaxInstanceTypes);
            var prices = claim.InstanceTypeOptions.Select(o => o.Offering.PricePerHour).ToList();
            Assert.Equal(prices.Order(), prices);
            foreach (var option in claim.InstanceTypeOptions)
            {
                var requested = claim.Pods.Aggregate(ResourceList.Empty, (sum, p) => sum.Add(p.Requests));
                Assert.True(requested.FitsIn(option.InstanceType.Allocatable), $"{claim.Name}: pods {requested} exceed {option.InstanceType.Name} {option.InstanceType.Allocatable}");
                Assert.True(option.InstanceType.Requirements.Intersects(claim.Requirements));
            }

            foreach (var pod in claim.Pods)
            {
                Assert.True(seen.Add(pod.Key), $"{pod.Key} placed twice");
            }
        }

        foreach (var placement in plan.ExistingNodes)
        {
            var node = snapshot.Nodes.Single(n => n.Name == placement.NodeName);
            var total = node.Requested();
            foreach (var pod in placement.Pods)
            {
                Assert.True(seen.Add(pod.Key), $"{pod.Key} placed twice");
                total = total.Add(pod.Requests);
            }

            Assert.True(total.FitsIn(node.Allocatable), $"{node.Name} overcommitted: {total} > {node.Allocatable}");
        }

        foreach (var u in plan.Unschedulable)
        {
            Assert.True(seen.Add(u.Pod.Key), $"{u.Pod.Key} both placed and unschedulable");
            Assert.False(string.IsNullOrWhiteSpace(u.Reason));
        }

        Assert.Equal(snapshot.PendingPods.Count, seen.Count);
        Assert.True(plan.TotalPricePerHour + 1e-9 >= plan.LowerBoundPricePerHour, $"plan {plan.TotalPricePerHour} below the LP bound {plan.LowerBoundPricePerHour}");
    }

    /// <summary>Where each pod ended up: claim name or node name.</summary>
    public static Dictionary<string, string> Placements(Plan plan)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var claim in plan.NodeClaims)
        {
            foreach (var pod in claim.Pods)
            {
                map[pod.Key] = claim.Name;
            }
        }

        foreach (var node in plan.ExistingNodes)
        {
            foreach (var pod in node.Pods)
            {
                map[pod.Key] = node.NodeName;
            }
        }

        return map;
    }

    public static string ZoneOf(Plan plan, NodeClaimPlan claim) =>
        claim.Requirements.Get(Labels.Zone)?.SingleValue ?? claim.Cheapest.Offering.Zone;

    public static NodeView Node(string name, string cpu, string memory, string zone = "test-zone-1", params PodRequest[] pods) => new()
    {
        Name = name,
        Labels = new Dictionary<string, string> { [Labels.Zone] = zone, [Labels.Hostname] = name, [Labels.InstanceType] = "gp.xlarge" },
        Allocatable = ResourceList.Of("cpu", cpu, "memory", memory, "pods", "110"),
        Capacity = ResourceList.Of("cpu", cpu, "memory", memory, "pods", "110"),
        Pods = pods,
    };
}
