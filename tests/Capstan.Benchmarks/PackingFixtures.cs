using Capstan.Aws.Catalog;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Packing;
using Capstan.Core.Pods;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;
using Capstan.Testing;

namespace Capstan.Benchmarks;

/// <summary>The snapshots the packing benchmarks and the figures report run.</summary>
public static class PackingFixtures
{
    private static readonly Lazy<IReadOnlyList<InstanceType>> s_fakeTypes = new(() => FakeInstanceTypes.KarpenterBenchmark(400));
    private static readonly Lazy<IReadOnlyList<InstanceType>> s_catalog = new(() => InstanceCatalog.BuiltIn.InstanceTypes());

    /// <summary>Karpenter's fixture: 400 fake types, one NodePool with huge limits (memory 1,000,000Gi: quantities stop at about 2 PiB), the diverse pod mix (seed 42).</summary>
    public static Snapshot Karpenter(int pods, bool selfAffinity, SizingStrategy sizing = SizingStrategy.Best) => new()
    {
        PendingPods = DiversePods.Create(pods, 42, selfAffinity),
        Provisioners =
        [
            new ProvisionerState(new Provisioner
            {
                Name = "default",
                Limits = ResourceList.Of("cpu", "10000000", "memory", "1000000Gi"),
            }),
        ],
        InstanceTypes = s_fakeTypes.Value,
        Options = PackingOptions.Default with { Sizing = sizing },
    };

    /// <summary>Karpenter's 400 fake types (linear prices, no overhead) with generic pods: uniform or mixed shapes, no constraints.</summary>
    public static Snapshot KarpenterGeneric(int pods, bool mixed, SizingStrategy sizing = SizingStrategy.Best) => Karpenter(pods, false, sizing) with
    {
        PendingPods = mixed ? MixedPods(pods) : UniformPods(pods),
    };

    /// <summary>The real us-east-1 catalog with no provisioner requirements (every type is a candidate).</summary>
    public static Snapshot Catalog(int pods, bool mixed, SizingStrategy sizing = SizingStrategy.Best) => new()
    {
        PendingPods = mixed ? MixedPods(pods) : UniformPods(pods),
        Provisioners = [new ProvisionerState(new Provisioner { Name = "default" })],
        InstanceTypes = s_catalog.Value,
        Options = PackingOptions.Default with { Sizing = sizing },
    };

    /// <summary>The tutorial's inflate pod (1 cpu, 1.5Gi) repeated.</summary>
    public static IReadOnlyList<PodRequest> UniformPods(int count)
    {
        var template = new PodBuilder("inflate").Cpu("1").Memory("1.5Gi").Label("app", "inflate").Build();
        return PodBuilder.Replicas(template, "inflate", count);
    }

    /// <summary>Generic pods of mixed shapes, seeded: cpu 100m..4, memory 128Mi..16Gi.</summary>
    public static IReadOnlyList<PodRequest> MixedPods(int count)
    {
        string[] cpu = ["100m", "250m", "500m", "1", "2", "4"];
        string[] memory = ["128Mi", "512Mi", "1Gi", "2Gi", "4Gi", "8Gi", "16Gi"];
        var random = new Random(42);
        var pods = new List<PodRequest>(count);
        for (var i = 0; i < count; i++)
        {
            var template = new PodBuilder($"mixed-{i}").Cpu(cpu[random.Next(cpu.Length)]).Memory(memory[random.Next(memory.Length)]).Order(i).Build();
            pods.Add(template);
        }

        return pods;
    }

    /// <summary>Distinct hosts a plan uses (new claims).</summary>
    public static int Nodes(Plan plan) => plan.NodeClaims.Count;

    public static string Describe(string name, Plan plan) =>
        $"{name}: nodes={plan.NodeClaims.Count} unschedulable={plan.Unschedulable.Count} cost=${plan.TotalPricePerHour:0.000}/h "
        + $"bound=${plan.LowerBoundPricePerHour:0.000}/h ratio={(plan.LowerBoundPricePerHour > 0 ? plan.TotalPricePerHour / plan.LowerBoundPricePerHour : 0):0.000}";
}
