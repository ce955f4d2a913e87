using BenchmarkDotNet.Running;
using Capstan.Benchmarks;

if (args.Contains("--explain"))
{
    var pods = int.Parse(args[Array.IndexOf(args, "--explain") + 1], System.Globalization.CultureInfo.InvariantCulture);
    var plan = Capstan.Core.Packing.Packer.Solve(PackingFixtures.Catalog(pods, args.Contains("--mixed")));
    foreach (var c in plan.NodeClaims.Take(20))
    {
        Console.WriteLine($"{c.Name} {c.Cheapest.InstanceType.Name} {c.Cheapest.Offering.CapacityType} {c.Cheapest.Offering.Zone} ${c.Cheapest.Offering.PricePerHour} pods={c.Pods.Count} alloc={c.Cheapest.InstanceType.Allocatable}");
    }

    Console.WriteLine(PackingFixtures.Describe("explain", plan));
    return;
}

if (args.Contains("--time"))
{
    Figures.Time(Console.Out);
    return;
}

if (args.Contains("--figures"))
{
    Figures.Print(Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(args, new BenchmarkConfig());
