using System.Diagnostics;
using Capstan.Core.Packing;

namespace Capstan.Benchmarks;

/// <summary>
/// <c>make bench ARGS=--figures</c>: the plan quality figures (nodes, cost, LP bound, cost-aware sizing against
/// plain first-fit-decreasing) for every fixture, without timing. Deterministic: same output every run.
/// </summary>
public static class Figures
{
    public static void Print(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var pods in new[] { 1000, 5000, 10000 })
        {
            foreach (var self in new[] { false, true })
            {
                Compare(output, $"karpenter pods={pods} selfAffinity={self}", sizing => PackingFixtures.Karpenter(pods, self, sizing));
            }
        }

        foreach (var pods in new[] { 1000, 10000 })
        {
            foreach (var mixed in new[] { false, true })
            {
                Compare(output, $"karpenter types, generic pods={pods} mixed={mixed}", sizing => PackingFixtures.KarpenterGeneric(pods, mixed, sizing));
            }
        }

        foreach (var pods in new[] { 10, 100, 1000, 10000 })
        {
            foreach (var mixed in new[] { false, true })
            {
                Compare(output, $"catalog pods={pods} mixed={mixed}", sizing => PackingFixtures.Catalog(pods, mixed, sizing));
            }
        }
    }

    /// <summary>Quick wall-clock look (best of three warm runs) for development; BenchmarkDotNet gives the recorded figures.</summary>
    public static void Time(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        (string Name, Snapshot Snapshot)[] cases =
        [
            ("karpenter 10k", PackingFixtures.Karpenter(10000, false)),
            ("karpenter 10k self-affinity", PackingFixtures.Karpenter(10000, true)),
            ("catalog 10k uniform", PackingFixtures.Catalog(10000, false)),
            ("catalog 10k mixed", PackingFixtures.Catalog(10000, true)),
        ];
        foreach (var (name, snapshot) in cases)
        {
            var best = TimeSpan.MaxValue;
            Plan plan = null!;
            for (var run = 0; run < 4; run++)
            {
                var watch = Stopwatch.StartNew();
                plan = Packer.Solve(snapshot);
                best = watch.Elapsed < best ? watch.Elapsed : best;
            }

            output.WriteLine($"{PackingFixtures.Describe(name, plan)} | best {best.TotalMilliseconds:0} ms = {snapshot.PendingPods.Count / best.TotalSeconds:N0} pods/s");
        }
    }

    private static void Compare(TextWriter output, string name, Func<SizingStrategy, Snapshot> snapshot)
    {
        var best = Packer.Solve(snapshot(SizingStrategy.Best));
        var sized = Packer.Solve(snapshot(SizingStrategy.CostAware));
        var ffd = Packer.Solve(snapshot(SizingStrategy.FirstFitDecreasing));
        var integral = IntegralBound(snapshot(SizingStrategy.Best));
        output.WriteLine($"{PackingFixtures.Describe(name, best)} | cost-aware only: nodes={sized.NodeClaims.Count} ${sized.TotalPricePerHour:0.000}/h"
            + $" | plain FFD: nodes={ffd.NodeClaims.Count} ${ffd.TotalPricePerHour:0.000}/h"
            + (integral > 0 ? $" | integral bound ${integral:0.000}/h ratio={best.TotalPricePerHour / integral:0.000}" : ""));
    }

    /// <summary>
    /// For identical pods only: each node of type t holds at most floor(allocatable / request) of them, so
    /// N x the least price per pod over all types is a lower bound that, unlike the LP, respects whole pods.
    /// </summary>
    private static double IntegralBound(Snapshot snapshot)
    {
        var first = snapshot.PendingPods[0];
        if (snapshot.PendingPods.Any(p => !p.Requests.Equals(first.Requests)))
        {
            return 0;
        }

        var requirements = snapshot.Provisioners[0].Provisioner.NodeRequirements();
        var perPod = double.PositiveInfinity;
        foreach (var type in snapshot.InstanceTypes)
        {
            if (type.CheapestOffering(requirements) is not { } offering)
            {
                continue;
            }

            var copies = first.Requests.Where(r => r.Value.MilliValue > 0).Min(r => type.Allocatable.Get(r.Key).MilliValue / r.Value.MilliValue);
            if (copies > 0)
            {
                perPod = Math.Min(perPod, offering.PricePerHour / copies);
            }
        }

        return perPod * snapshot.PendingPods.Count;
    }
}
