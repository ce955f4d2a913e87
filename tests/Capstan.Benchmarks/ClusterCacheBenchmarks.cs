using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Kubernetes.Cluster;
using k8s;
using k8s.Models;

namespace Capstan.Benchmarks;

/// <summary>
/// The watch-fed cluster cache at 5,000 nodes and 50,000 pods (100 of them pending): the time to apply one pod or node
/// watch event (what the watch loop runs per event once KubernetesClient has read it), and the reads the controllers
/// make right after such an event, when the cached sorted lists must be built again. Each iteration is one event or
/// one read, so the percentiles are per event. The objects come from <see cref="ClusterCacheFixture"/>.
/// </summary>
[Config(typeof(Config))]
public class ClusterCacheEventBenchmarks
{
    /// <summary>Pods the benchmarks add and remove; far above the fixture's indexes, so they never collide.</summary>
    private const int ExtraIndex = 10_000_000;
    private const int Rotation = 256;

    private KubernetesClusterCache _cache = null!;
    private V1Pod[] _extraBound = null!;
    private V1Pod[] _extraPending = null!;
    private V1Pod[] _ready = null!;
    private V1Pod[] _notReady = null!;
    private V1Pod[] _running = null!;
    private V1Pod[] _starting = null!;
    private V1Node[][] _heartbeats = null!;
    private int _next;
    private bool _flip;

    [Params(5_000)]
    public int Nodes { get; set; }

    [Params(50_000)]
    public int Pods { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cache = ClusterCacheBenchmarkSetup.Build(Nodes, Pods, ClusterCacheBenchmarkSetup.Pending);

        // Each event of a kind goes to one of 256 pods (or nodes) in turn, spread over the cluster, so successive events
        // do not find the same objects in the CPU caches.
        var stride = Nodes / Rotation;
        _extraBound = [.. Enumerable.Range(0, Rotation).Select(i => ClusterCacheFixture.Pod(ExtraIndex + i, ClusterCacheFixture.NodeName(i * stride)))];
        _extraPending = [.. Enumerable.Range(0, Rotation).Select(i => ClusterCacheFixture.Pod(ExtraIndex + i, null))];
        var bound = Enumerable.Range(0, Rotation).Select(i => ClusterCacheBenchmarkSetup.Pending + (i * ((Pods - ClusterCacheBenchmarkSetup.Pending) / Rotation))).ToList();
        _ready = [.. bound.Select(i => ClusterCacheFixture.Pod(i, ClusterCacheFixture.NodeName(i % Nodes)))];
        _notReady = [.. bound.Select(i => ClusterCacheFixture.Pod(i, ClusterCacheFixture.NodeName(i % Nodes), ready: false))];
        _running = _ready;
        _starting = [.. bound.Select(i => ClusterCacheFixture.Pod(i, ClusterCacheFixture.NodeName(i % Nodes), phase: "Pending"))];
        _heartbeats = [.. Enumerable.Range(0, 2).Select(beat => Enumerable.Range(0, Rotation).Select(i => ClusterCacheFixture.Node(i * stride, beat + 1)).ToArray())];
        WarmUpJit();
    }

    /// <summary>ADDED: a new pod already bound to a node (its node's view is rebuilt with it).</summary>
    [Benchmark]
    public void PodAddedBound() => _cache.ApplyPod(WatchEventType.Added, _extraBound[_next]);

    [IterationCleanup(Target = nameof(PodAddedBound))]
    public void RemoveAdded() => _cache.ApplyPod(WatchEventType.Deleted, _extraBound[Advance()]);

    /// <summary>MODIFIED: a pending pod gets its <c>spec.nodeName</c> (leaves the pending set, joins its node).</summary>
    [Benchmark]
    public void PodBound() => _cache.ApplyPod(WatchEventType.Modified, _extraBound[_next]);

    [IterationSetup(Target = nameof(PodBound))]
    public void AddPending() => _cache.ApplyPod(WatchEventType.Added, _extraPending[_next]);

    [IterationCleanup(Target = nameof(PodBound))]
    public void RemoveBound() => _cache.ApplyPod(WatchEventType.Deleted, _extraBound[Advance()]);

    /// <summary>DELETED: a bound pod goes (its node's view is rebuilt without it).</summary>
    [Benchmark]
    public void PodDeleted() => _cache.ApplyPod(WatchEventType.Deleted, _extraBound[_next]);

    [IterationSetup(Target = nameof(PodDeleted))]
    public void AddBound() => _cache.ApplyPod(WatchEventType.Added, _extraBound[_next]);

    [IterationCleanup(Target = nameof(PodDeleted))]
    public void NextDeleted() => Advance();

    /// <summary>
    /// MODIFIED, status only and nothing the cache keeps: a bound pod's Ready condition and container status flip
    /// (readiness probes, restarts; the most common pod event). Converted and compared, then dropped.
    /// </summary>
    [Benchmark]
    public void PodReadinessModified() => _cache.ApplyPod(WatchEventType.Modified, (_flip ? _notReady : _ready)[_next]);

    /// <summary>MODIFIED, status only, a change the pod's view shows: a bound pod's phase (Pending, then Running).</summary>
    [Benchmark]
    public void PodPhaseModified() => _cache.ApplyPod(WatchEventType.Modified, (_flip ? _running : _starting)[_next]);

    [IterationCleanup(Targets = [nameof(PodReadinessModified), nameof(PodPhaseModified)])]
    public void NextModified()
    {
        if (Advance() == Rotation - 1)
        {
            _flip = !_flip;
        }
    }

    /// <summary>MODIFIED node: the kubelet's heartbeat (condition heartbeat times, resourceVersion) and nothing the view shows.</summary>
    [Benchmark]
    public void NodeHeartbeat() => _cache.ApplyNode(WatchEventType.Modified, _heartbeats[_flip ? 1 : 0][_next]);

    [IterationCleanup(Target = nameof(NodeHeartbeat))]
    public void NextHeartbeat() => NextModified();

    /// <summary><see cref="KubernetesClusterCache.Nodes"/> right after a bound pod was added or deleted (the sorted list is rebuilt).</summary>
    [Benchmark]
    public int NodesAfterPodEvent() => _cache.Nodes().Count;

    [IterationSetup(Target = nameof(NodesAfterPodEvent))]
    public void ChangeNode() => Toggle(_extraBound);

    /// <summary><see cref="KubernetesClusterCache.PendingPodViews"/> right after a pending pod was added or deleted.</summary>
    [Benchmark]
    public int PendingPodViewsAfterPodEvent() => _cache.PendingPodViews().Count;

    /// <summary><see cref="KubernetesClusterCache.PendingPods"/> right after a pending pod was added or deleted.</summary>
    [Benchmark]
    public int PendingPodsAfterPodEvent() => _cache.PendingPods().Count;

    [IterationSetup(Targets = [nameof(PendingPodViewsAfterPodEvent), nameof(PendingPodsAfterPodEvent)])]
    public void ChangePending() => Toggle(_extraPending);

    /// <summary>Adds the next extra pod, or deletes it again and moves on: the cache holds its base content or one pod more.</summary>
    private void Toggle(V1Pod[] pods)
    {
        if (_flip)
        {
            _cache.ApplyPod(WatchEventType.Deleted, pods[Advance()]);
        }
        else
        {
            _cache.ApplyPod(WatchEventType.Added, pods[_next]);
        }

        _flip = !_flip;
    }

    private int Advance()
    {
        var current = _next;
        _next = (_next + 1) % Rotation;
        return current;
    }

    /// <summary>
    /// One event per measured iteration is over long before the tiered JIT has compiled the cache's code at full
    /// optimisation, so every path the benchmarks take runs for two seconds first; the cache ends as it began.
    /// </summary>
    private void WarmUpJit()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            for (var i = 0; i < Rotation; i++)
            {
                _cache.ApplyPod(WatchEventType.Added, _extraPending[i]);
                _ = _cache.PendingPods();
                _cache.ApplyPod(WatchEventType.Modified, _extraBound[i]);
                _ = _cache.Nodes();
                _cache.ApplyPod(WatchEventType.Deleted, _extraBound[i]);
                _cache.ApplyPod(WatchEventType.Modified, _notReady[i]);
                _cache.ApplyPod(WatchEventType.Modified, _ready[i]);
                _cache.ApplyPod(WatchEventType.Modified, _starting[i]);
                _cache.ApplyPod(WatchEventType.Modified, _running[i]);
                _cache.ApplyNode(WatchEventType.Modified, _heartbeats[i % 2][i]);
            }
        }
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // One event per measured iteration, 1,000 of them after 50 warm-ups. No forced GC between iterations (a
            // forced full collection of the cache's heap would take longer than the event, and a watch loop applies
            // event after event): the collections the events' own allocations cause are in the figures.
            AddJob(Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(50)
                .WithIterationCount(1_000)
                .WithInvocationCount(1)
                .WithUnrollFactor(1)
                .WithGcForce(false)
                .WithId("PerEvent"));
            AddColumn(new ExtenderPercentileColumn(99));

            // On a busy shared machine building the generated project can take longer than the default two minutes.
            WithBuildTimeout(TimeSpan.FromMinutes(10));
        }
    }
}

/// <summary>
/// Reads of the same 5,000-node, 50,000-pod cache when nothing changed since the last read (the cached lists) and
/// the lookups by name the extender and the controllers make per pod or node.
/// </summary>
[Config(typeof(Config))]
public class ClusterCacheReadBenchmarks
{
    private KubernetesClusterCache _cache = null!;
    private PodRequest _pod = null!;
    private string _node = null!;

    [Params(5_000)]
    public int Nodes { get; set; }

    [Params(50_000)]
    public int Pods { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cache = ClusterCacheBenchmarkSetup.Build(Nodes, Pods, ClusterCacheBenchmarkSetup.Pending);
        var node = _cache.Nodes()[Nodes / 2];
        _node = node.Name;
        _pod = node.Pods[0];
        _ = _cache.PendingPods();
    }

    [Benchmark]
    public int NodesCached() => _cache.Nodes().Count;

    [Benchmark]
    public int PendingPodsCached() => _cache.PendingPods().Count;

    [Benchmark]
    public PodView? FindPodView() => _cache.FindPodView(_pod.Namespace, _pod.Name);

    [Benchmark]
    public NodeView? FindNode() => _cache.FindNode(_node);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10));
            WithBuildTimeout(TimeSpan.FromMinutes(10));
        }
    }
}

/// <summary>The cache both benchmark classes start from: the fixture's nodes and pods applied as the initial lists.</summary>
internal static class ClusterCacheBenchmarkSetup
{
    public const int Pending = 100;

    public static KubernetesClusterCache Build(int nodes, int pods, int pending)
    {
        var cache = ClusterCacheFixture.NewCache();
        cache.ReplaceNodes(ClusterCacheFixture.Nodes(nodes));
        cache.ReplacePods(ClusterCacheFixture.Pods(pods, nodes, pending));
        if (cache.NodeCount != nodes || cache.PodCount != pods || cache.PendingPods().Count != pending)
        {
            throw new InvalidOperationException($"the cache holds {cache.NodeCount} nodes, {cache.PodCount} pods, {cache.PendingPods().Count} pending");
        }

        return cache;
    }
}
