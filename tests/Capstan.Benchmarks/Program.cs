using BenchmarkDotNet.Running;
using Capstan.Benchmarks;

if (args.Contains("--explain"))
{
    var pods = int.Parse(args[Array.IndexOf(args, "--explain") + 1], System.Globalization.CultureInfo.InvariantCulture);
    var snapshot = args.Contains("--karpenter")
        ? PackingFixtures.Karpenter(pods, args.Contains("--self"), Sizing(args))
        : PackingFixtures.Catalog(pods, args.Contains("--mixed"), Sizing(args));
    var plan = Capstan.Core.Packing.Packer.Solve(snapshot);
    foreach (var c in plan.NodeClaims.Take(12).Concat(plan.NodeClaims.Skip(plan.NodeClaims.Count - 6)))
    {
        Console.WriteLine($"{c.Name} {c.Cheapest.InstanceType.Name} {c.Cheapest.Offering.CapacityType} {c.Cheapest.Offering.Zone} ${c.Cheapest.Offering.PricePerHour} pods={c.Pods.Count} req={c.Requests} alloc={c.Cheapest.InstanceType.Allocatable}");
    }

    Console.WriteLine(PackingFixtures.Describe("explain", plan));
    return;
}

if (args.Contains("--manifest-pods"))
{
    var at = Array.IndexOf(args, "--manifest-pods");
    var count = int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture);
    File.WriteAllText(args[at + 2], ManifestReaderBenchmarks.PodDocuments(count));
    return;
}

if (args.Contains("--time"))
{
    Figures.Time(Console.Out);
    return;
}

if (args.Contains("--cache-heap"))
{
    ClusterCacheHeap.Print(Console.Out);
    return;
}

if (args.Contains("--figures"))
{
    Figures.Print(Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(args, new BenchmarkConfig());

static Capstan.Core.Packing.SizingStrategy Sizing(string[] args) =>
    args.Contains("--ffd") ? Capstan.Core.Packing.SizingStrategy.FirstFitDecreasing
    : args.Contains("--sized") ? Capstan.Core.Packing.SizingStrategy.CostAware
    : Capstan.Core.Packing.SizingStrategy.Best;
