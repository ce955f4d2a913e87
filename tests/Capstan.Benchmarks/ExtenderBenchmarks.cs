using System.Buffers;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Capstan.Core.Placement;
using Capstan.Extender;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Benchmarks;

/// <summary>
/// Server time of filter and prioritize with <c>nodeCacheCapable: true</c>: request bytes in, response
/// bytes out through <see cref="ExtenderRequestHandler"/>, exactly what the routes run once the body is read
/// (read the envelope and the Pod, judge or score every node from the cache and the ledger, write the
/// answer), without Kestrel. Each iteration is one request, so the percentiles are per request.
/// </summary>
[Config(typeof(Config))]
public class ExtenderBenchmarks
{
    private ExtenderRequestHandler _handler = null!;
    private byte[] _body = null!;
    private ArrayBufferWriter<byte> _output = null!;

    [Params(100, 1_000, 5_000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var cluster = new ExtenderBenchmarkCluster(Nodes);
        var service = new ExtenderService(cluster, cluster, new PlacementLedger(TimeProvider.System, TimeSpan.FromMinutes(2)),
            new RecentPods(), new NoopProvisioningTrigger(), NullLogger<ExtenderService>.Instance);
        _handler = new ExtenderRequestHandler(service, NullLogger<ExtenderService>.Instance);
        _body = cluster.ArgsBody();
        _output = new ArrayBufferWriter<byte>(1 << 20);
        WarmUpJit();
    }

    [Benchmark]
    public int Filter()
    {
        _output.ResetWrittenCount();
        _handler.Filter(_body, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int Prioritize()
    {
        _output.ResetWrittenCount();
        _handler.Prioritize(_body, _output);
        return _output.WrittenCount;
    }

    /// <summary>
    /// The job measures only 440 requests, which at 100 nodes is over before the tiered JIT even starts
    /// counting calls (after 100 ms), so without this every figure would be of unoptimised tier-0 code.
    /// A server answers many requests before these figures matter; so do we, for two seconds.
    /// </summary>
    private void WarmUpJit()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            Filter();
            Prioritize();
        }
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // One request per measured iteration (a sub-millisecond call is still far above the timer's
            // resolution), 400 of them after 40 warm-ups: short enough for a shared 2-core machine.
            // BenchmarkDotNet forces a full GC before every iteration by default, which here means before
            // every request: "Cold" keeps that (caches emptied, the method of the first figures), "Warm"
            // turns it off, as a server answering request after request runs.
            var perRequest = Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(40)
                .WithIterationCount(400)
                .WithInvocationCount(1)
                .WithUnrollFactor(1);
            AddJob(perRequest.WithId("Cold"));
            AddJob(perRequest.WithGcForce(false).WithId("Warm"));
            AddColumn(new ExtenderPercentileColumn(99));
        }
    }
}
