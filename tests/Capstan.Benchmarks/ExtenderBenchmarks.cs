using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Capstan.Extender;
using Capstan.Extender.Ledger;
using Capstan.Extender.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Benchmarks;

/// <summary>
/// Server time of filter and prioritize with <c>nodeCacheCapable: true</c>: request bytes in, response
/// bytes out (parse the envelope and the Pod, judge or score every node from the cache and the ledger,
/// serialise), without Kestrel. Each iteration is one request, so the percentiles are per request.
/// </summary>
[Config(typeof(Config))]
public class ExtenderBenchmarks
{
    private ExtenderService _service = null!;
    private byte[] _body = null!;
    private MemoryStream _output = null!;

    [Params(100, 1_000, 5_000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var cluster = new ExtenderBenchmarkCluster(Nodes);
        _service = new ExtenderService(cluster, cluster, new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2)),
            new RecentPods(), new NoopProvisioningTrigger(), NullLogger<ExtenderService>.Instance);
        _body = cluster.ArgsBody();
        _output = new MemoryStream(1 << 20);
        Filter();
        Prioritize();
    }

    [Benchmark]
    public long Filter()
    {
        var args = JsonSerializer.Deserialize(_body, ExtenderJsonContext.Default.ExtenderArgs)!;
        var result = _service.Filter(args, ExtenderService.PodOf(args));
        _output.Position = 0;
        JsonSerializer.Serialize(_output, result, ExtenderJsonContext.Default.ExtenderFilterResult);
        return _output.Position;
    }

    [Benchmark]
    public long Prioritize()
    {
        var args = JsonSerializer.Deserialize(_body, ExtenderJsonContext.Default.ExtenderArgs)!;
        var result = _service.Prioritize(args, ExtenderService.PodOf(args));
        _output.Position = 0;
        JsonSerializer.Serialize(_output, result, ExtenderJsonContext.Default.HostPriorityList);
        return _output.Position;
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // One request per measured iteration (a sub-millisecond call is still far above the timer's
            // resolution), 400 of them after 40 warm-ups: short enough for a shared 2-core machine.
            AddJob(Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(40)
                .WithIterationCount(400)
                .WithInvocationCount(1)
                .WithUnrollFactor(1)
                .WithId("PerRequest"));
            AddColumn(new ExtenderPercentileColumn(99));
        }
    }
}
