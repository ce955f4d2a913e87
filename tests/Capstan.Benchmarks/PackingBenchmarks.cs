using BenchmarkDotNet.Attributes;
using Capstan.Core.Packing;

namespace Capstan.Benchmarks;

/// <summary>
/// Karpenter's scheduling benchmark (400 fake types, diverse pods, seed 42) and the real catalog.
/// pods/s = pods / mean time of one Solve; the nodes and cost columns come from the same snapshot.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
[Config(typeof(PackingConfig))]
public class KarpenterFixtureBenchmarks
{
    private Snapshot _snapshot = null!;

    [Params(1000, 5000, 10000)]
    public int Pods { get; set; }

    [Params(false, true)]
    public bool SelfAffinity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _snapshot = PackingFixtures.Karpenter(Pods, SelfAffinity);
        PackingConfig.Record(this, Pods, Packer.Solve(_snapshot));
    }

    [Benchmark]
    public Plan Solve() => Packer.Solve(_snapshot);
}

[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
[Config(typeof(PackingConfig))]
public class CatalogBenchmarks
{
    private Snapshot _snapshot = null!;

    [Params(1000, 10000)]
    public int Pods { get; set; }

    [Params(false, true)]
    public bool Mixed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _snapshot = PackingFixtures.Catalog(Pods, Mixed);
        PackingConfig.Record(this, Pods, Packer.Solve(_snapshot));
    }

    [Benchmark]
    public Plan Solve() => Packer.Solve(_snapshot);
}
