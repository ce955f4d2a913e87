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
        output.WriteLine($"{PackingFixtures.Describe(name, best)} | cost-aware only: nodes={sized.NodeClaims.Count} ${sized.TotalPricePerHour:0.000}/h"
            + $" | plain FFD: nodes={ffd.NodeClaims.Count} ${ffd.TotalPricePerHour:0.000}/h");
    }
}
