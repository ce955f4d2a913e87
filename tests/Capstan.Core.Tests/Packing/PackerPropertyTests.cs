using Capstan.Core.Cluster;
using Capstan.Core.Packing;
using Capstan.Core.Pods;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Capstan.Testing;
using static Capstan.Core.Tests.Packing.PackerTestKit;

namespace Capstan.Core.Tests.Packing;

/// <summary>Invariants checked over many seeded random snapshots.</summary>
public sealed class PackerPropertyTests
{
    private static readonly string[] s_cpu = ["100m", "250m", "500m", "1", "1500m", "3"];
    private static readonly string[] s_memory = ["128Mi", "512Mi", "1Gi", "2Gi", "6Gi"];

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 40; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Solve_RandomSnapshot_KeepsEveryInvariant(int seed)
    {
        var snapshot = RandomSnapshot(new Random(seed));

        var plan = Packer.Solve(snapshot);

        AssertSound(snapshot, plan);
        var provisioners = snapshot.Provisioners.ToDictionary(p => p.Provisioner.Name, p => p.Provisioner);
        var domainsOf = new Dictionary<string, (string Host, string Zone)>(StringComparer.Ordinal);
        foreach (var claim in plan.NodeClaims)
        {
            var provisioner = provisioners[claim.Provisioner];
            Assert.True(provisioner.NodeRequirements().Intersects(claim.Requirements));
            foreach (var pod in claim.Pods)
            {
                Assert.Null(Toleration.FirstUntolerated(provisioner.Taints, pod.Tolerations));
                Assert.True(claim.Requirements.IsCompatible(pod.NodeSelector), $"{pod.Key} selector {pod.NodeSelector} vs {claim.Requirements}");
                domainsOf[pod.Key] = (claim.Name, ZoneOf(plan, claim));
            }
        }

        foreach (var placement in plan.ExistingNodes)
        {
            var node = snapshot.Nodes.Single(n => n.Name == placement.NodeName);
            foreach (var pod in placement.Pods)
            {
                Assert.Null(Toleration.FirstUntolerated(node.Taints, pod.Tolerations));
                foreach (var r in pod.NodeSelector)
                {
                    Assert.True(node.Labels.TryGetValue(r.Key, out var v) && r.Allows(v));
                }

                domainsOf[pod.Key] = (node.Name, node.Labels[Labels.Zone]);
            }
        }

        foreach (var node in snapshot.Nodes)
        {
            foreach (var pod in node.Pods)
            {
                domainsOf[pod.Key] = (node.Name, node.Labels[Labels.Zone]);
            }
        }

        var allPods = snapshot.PendingPods.Concat(snapshot.Nodes.SelectMany(n => n.Pods)).Where(p => domainsOf.ContainsKey(p.Key)).ToList();
        foreach (var pod in allPods)
        {
            foreach (var term in pod.RequiredPodAntiAffinity)
            {
                var mine = Domain(domainsOf[pod.Key], term.TopologyKey);
                Assert.DoesNotContain(allPods, other => other.Key != pod.Key && term.Selects(pod.Namespace, other.Namespace, other.Labels)
                    && Domain(domainsOf[other.Key], term.TopologyKey) == mine);
            }
        }

        foreach (var pod in allPods)
        {
            foreach (var term in pod.RequiredPodAffinity)
            {
                var mine = Domain(domainsOf[pod.Key], term.TopologyKey);
                var partners = allPods.Where(other => term.Selects(pod.Namespace, other.Namespace, other.Labels)).ToList();
                Assert.Contains(partners, other => Domain(domainsOf[other.Key], term.TopologyKey) == mine);
                if (!snapshot.Nodes.SelectMany(n => n.Pods).Any(running => term.Selects(pod.Namespace, running.Namespace, running.Labels)))
                {
                    // Self-affinity with nobody running yet: the first pod fixes the domain for all of them.
                    Assert.Single(partners.Select(other => Domain(domainsOf[other.Key], term.TopologyKey)).Distinct());
                }
            }
        }

        foreach (var group in snapshot.PendingPods.Where(p => p.TopologySpread.Count > 0 && domainsOf.ContainsKey(p.Key)).GroupBy(p => p.TopologySpread[0]))
        {
            var spread = group.Key;
            if (spread.TopologyKey != Labels.Zone || !spread.DoNotSchedule)
            {
                continue;
            }

            var counts = FakeInstanceTypes.Zones.ToDictionary(z => z, _ => 0);
            foreach (var pod in allPods.Where(p => spread.Selector.Matches(p.Labels)))
            {
                counts[domainsOf[pod.Key].Zone]++;
            }

            Assert.True(counts.Values.Max() - counts.Values.Min() <= spread.MaxSkew, $"zone skew {string.Join(",", counts)}");
        }

        foreach (var state in snapshot.Provisioners.Where(p => p.Provisioner.Limits is not null))
        {
            var limit = state.Provisioner.Limits!.Cpu.MilliValue;
            var reserved = plan.NodeClaims.Where(c => c.Provisioner == state.Provisioner.Name).Sum(c => c.Cheapest.InstanceType.Capacity.Cpu.MilliValue);
            Assert.True(reserved <= limit, $"{state.Provisioner.Name} launched {reserved}m cpu over its limit {limit}m");
        }

        Assert.Equal(PackerBasicsTests.Describe(plan), PackerBasicsTests.Describe(Packer.Solve(snapshot)));
    }

    private static string Domain((string Host, string Zone) domains, string key) => key == Labels.Zone ? domains.Zone : domains.Host;

    private static Snapshot RandomSnapshot(Random random)
    {
        var provisioners = new List<Provisioner>
        {
            Provisioner("general") with { Labels = new Dictionary<string, string> { ["intent"] = "apps" } },
            Provisioner("batch", weight: random.Next(0, 3) * 10) with
            {
                Taints = [new Taint("batch", "true", TaintEffect.NoSchedule)],
                Limits = random.Next(2) == 0 ? ResourceList.Of("cpu", "24") : null,
            },
        };
        var pods = new List<PodRequest>();
        var workloads = random.Next(2, 7);
        for (var w = 0; w < workloads; w++)
        {
            var builder = new PodBuilder($"w{w}").Cpu(s_cpu[random.Next(s_cpu.Length)]).Memory(s_memory[random.Next(s_memory.Length)]).Label("app", $"w{w}");
            switch (random.Next(8))
            {
                case 0:
                    builder.NodeSelector("intent", "apps");
                    break;
                case 1:
                    builder.Tolerate(Toleration.Equal("batch", "true", TaintEffect.NoSchedule));
                    break;
                case 2:
                    builder.Spread(Labels.Zone, maxSkew: random.Next(1, 3));
                    break;
                case 3:
                    builder.AntiAffinity(Labels.Hostname, LabelSelector.MatchLabels("app", $"w{w}"));
                    break;
                case 4:
                    builder.HostPort(9000 + w);
                    break;
                case 5:
                    builder.NodeSelector("team", "unknown");
                    break;
                case 6:
                    builder.Affinity(Labels.Zone, LabelSelector.MatchLabels("app", $"w{w}"));
                    break;
                default:
                    break;
            }

            pods.AddRange(PodBuilder.Replicas(builder.Build(), $"w{w}", random.Next(1, 12)));
        }

        var nodes = new List<NodeView>();
        for (var n = 0; n < random.Next(0, 3); n++)
        {
            var zone = FakeInstanceTypes.Zones[random.Next(3)];
            var running = new PodBuilder($"running-{n}").Cpu("500m").Label("app", "w0").Build();
            nodes.Add(Node($"node-{n}", "4", "16Gi", zone, running) with
            {
                Labels = new Dictionary<string, string> { [Labels.Zone] = zone, [Labels.Hostname] = $"node-{n}", ["intent"] = "apps" },
            });
        }

        return new Snapshot
        {
            PendingPods = pods,
            Nodes = nodes,
            Provisioners = [.. provisioners.Select(p => new ProvisionerState(p))],
            InstanceTypes = random.Next(2) == 0 ? PackerTestKit.GeneralPurpose() : FakeInstanceTypes.KarpenterBenchmark(24),
            Options = PackingOptions.Default with { Sizing = (SizingStrategy)random.Next(3) },
        };
    }
}
