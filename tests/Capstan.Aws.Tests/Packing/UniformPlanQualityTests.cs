using System.Globalization;
using System.Text;
using Capstan.Aws.Catalog;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Packing;
using Capstan.Core.Pods;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Capstan.Testing;
using Xunit.Abstractions;

namespace Capstan.Aws.Tests.Packing;

/// <summary>
/// Plan quality for identical pods over the real built-in catalog: the packer's plan must cost at most 1 %
/// more than the exact integer optimum. For identical pods the optimum is a small integer program solved
/// here on its own: a node of type t holds k_t pods (its allocatable, less the daemonset, divided by the
/// pod's requests, whole pods only), and the cheapest fleet buys n_t nodes of each type with
/// sum(n_t * k_t) >= N, found exactly by a coin-change table over the pod count.
/// </summary>
/// <remarks>
/// The test lives here rather than in the core's tests because only this project reaches the real catalog.
/// </remarks>
public sealed class UniformPlanQualityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1.01;

    private static readonly IReadOnlyList<InstanceType> s_catalog = InstanceCatalog.BuiltIn.InstanceTypes();

    private static readonly (string Cpu, double CpuUnits)[] s_cpus = [("250m", 0.25), ("500m", 0.5), ("1", 1), ("2", 2), ("4", 4)];

    private static readonly int[] s_memoryPerCpu = [1, 2, 4, 8];

    private static readonly int[] s_counts = [1, 3, 7, 10, 25, 50, 100, 333, 1000];

    /// <summary>The daemonset every node runs: its requests come off each node before the pods are counted.</summary>
    private static readonly PodRequest s_daemon = new PodBuilder("agent", "kube-system").Cpu("100m").Memory("128Mi").Build();

    public static TheoryData<string> Restrictions() => [.. s_restrictions.Keys];

    private static readonly Dictionary<string, Requirement> s_restrictions = new(StringComparer.Ordinal)
    {
        ["arch amd64"] = Requirement.In(Labels.Arch, "amd64"),
        ["arch arm64"] = Requirement.In(Labels.Arch, "arm64"),
        ["family c5"] = Requirement.In(Labels.InstanceFamily, "c5"),
        ["family m5"] = Requirement.In(Labels.InstanceFamily, "m5"),
        ["family r6g"] = Requirement.In(Labels.InstanceFamily, "r6g"),
        ["family c6g"] = Requirement.In(Labels.InstanceFamily, "c6g"),
        ["category c"] = Requirement.In(Labels.InstanceCategory, "c"),
        ["category m"] = Requirement.In(Labels.InstanceCategory, "m"),
        ["category r"] = Requirement.In(Labels.InstanceCategory, "r"),
        ["on-demand"] = Requirement.In(Labels.CapacityType, Labels.CapacityTypeOnDemand),
        ["spot"] = Requirement.In(Labels.CapacityType, Labels.CapacityTypeSpot),
    };

    [Theory]
    [MemberData(nameof(Restrictions))]
    public void UniformPods_PlanWithinOnePercentOfTheIntegerOptimum(string restriction)
    {
        var provisioner = new Provisioner { Name = "default", Requirements = Requirements.Create(s_restrictions[restriction]) };
        var cases = new List<(double Ratio, string Text)>();
        foreach (var (cpu, cpuUnits) in s_cpus)
        {
            foreach (var ratio in s_memoryPerCpu)
            {
                var memory = $"{(cpuUnits * ratio * 1024).ToString(CultureInfo.InvariantCulture)}Mi";
                var template = new PodBuilder("web").Cpu(cpu).Memory(memory).Label("app", "web").Build();
                var capacities = Capacities(provisioner, template);
                foreach (var count in s_counts)
                {
                    var snapshot = new Snapshot
                    {
                        PendingPods = PodBuilder.Replicas(template, "web", count),
                        Provisioners = [new ProvisionerState(provisioner)],
                        InstanceTypes = s_catalog,
                        DaemonSets = [s_daemon],
                    };
                    var plan = Packer.Solve(snapshot);
                    var name = $"{restriction}, {count} x ({cpu} cpu, {memory})";
                    if (capacities.Count == 0)
                    {
                        Assert.True(plan.Unschedulable.Count == count, $"{name}: no type can hold the pod, yet the plan placed some");
                        continue;
                    }

                    Assert.True(plan.Unschedulable.Count == 0, $"{name}: {plan.Unschedulable.Count} pods left unschedulable");
                    var (optimum, fleet) = Optimum(capacities, count);
                    cases.Add((plan.TotalPricePerHour / optimum,
                        $"{name}: plan ${plan.TotalPricePerHour:0.0000}/h on {Describe(plan)}; optimum ${optimum:0.0000}/h on {fleet}"));
                }
            }
        }

        var worst = cases.MaxBy(c => c.Ratio);
        output.WriteLine($"worst of {cases.Count}: {worst.Ratio:0.0000}  {worst.Text}");
        var failing = cases.Where(c => c.Ratio > Tolerance + 1e-6).OrderByDescending(c => c.Ratio).ToList();
        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{failing.Count} of {cases.Count} cases above {Tolerance:0.00} x optimum; worst ratio {worst.Ratio:0.0000}");
        foreach (var (ratio, text) in failing.Take(8))
        {
            message.Append(CultureInfo.InvariantCulture, $"\n  {ratio:0.0000}  {text}");
        }

        Assert.True(failing.Count == 0, message.ToString());
    }

    [Fact]
    public void Optimum_MixesTypesWhereThatIsCheaper()
    {
        // 10 pods: one node of 8 ($1.00) plus one of 2 ($0.30) beats two of 8 ($2.00) and five of 2 ($1.50).
        var (cost, fleet) = Optimum([(8, 1.00, "big"), (2, 0.30, "small")], 10);

        Assert.Equal(1.30, cost, 9);
        Assert.Equal("1 x big + 1 x small", fleet);
    }

    /// <summary>Per allowed type: how many copies of the pod one node holds, and the type's cheapest allowed offering.</summary>
    private static List<(int PerNode, double Price, string Name)> Capacities(Provisioner provisioner, PodRequest pod)
    {
        var requirements = provisioner.NodeRequirements();
        var list = new List<(int, double, string)>();
        foreach (var type in s_catalog)
        {
            if (!type.Requirements.Intersects(requirements) || type.CheapestOffering(requirements) is not { } offering)
            {
                continue;
            }

            var perNode = long.MaxValue;
            foreach (var (resource, quantity) in pod.Requests)
            {
                var wanted = quantity.MilliValue;
                if (wanted > 0)
                {
                    var free = type.Allocatable.Get(resource).MilliValue - s_daemon.Requests.Get(resource).MilliValue;
                    perNode = Math.Min(perNode, Math.Max(0, free) / wanted);
                }
            }

            if (perNode > 0)
            {
                list.Add(((int)Math.Min(perNode, int.MaxValue), offering.PricePerHour, type.Name));
            }
        }

        return list;
    }

    /// <summary>
    /// Exact least price of nodes holding <paramref name="count"/> pods: best[n] is the cheapest fleet for n
    /// pods, the cheapest over the type bought last, so best[count] is optimal (unbounded knapsack, covering form).
    /// </summary>
    private static (double Cost, string Fleet) Optimum(List<(int PerNode, double Price, string Name)> capacities, int count)
    {
        // Only the cheapest type per capacity can be in an optimal fleet.
        var types = capacities.GroupBy(c => Math.Min(c.PerNode, count))
            .Select(g => g.OrderBy(c => c.Price).ThenBy(c => c.Name, StringComparer.Ordinal).First() with { PerNode = g.Key })
            .ToList();
        var best = new double[count + 1];
        var last = new int[count + 1];
        for (var n = 1; n <= count; n++)
        {
            best[n] = double.PositiveInfinity;
            for (var t = 0; t < types.Count; t++)
            {
                var cost = types[t].Price + best[Math.Max(0, n - types[t].PerNode)];
                if (cost < best[n])
                {
                    best[n] = cost;
                    last[n] = t;
                }
            }
        }

        var bought = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var n = count; n > 0; n = Math.Max(0, n - types[last[n]].PerNode))
        {
            var name = types[last[n]].Name;
            bought[name] = bought.GetValueOrDefault(name) + 1;
        }

        return (best[count], string.Join(" + ", bought.Select(b => $"{b.Value} x {b.Key}")));
    }

    private static string Describe(Plan plan) =>
        string.Join(" + ", plan.NodeClaims.GroupBy(c => c.Cheapest.InstanceType.Name).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} x {g.Key}"));
}
