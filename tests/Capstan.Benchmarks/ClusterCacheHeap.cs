using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Capstan.Kubernetes.Cluster;
using k8s;

namespace Capstan.Benchmarks;

/// <summary>
/// <c>make bench BENCH_ARGS=--cache-heap</c>: the managed heap the cluster cache keeps for 5,000 nodes and 50,000 pods
/// (<see cref="ClusterCacheFixture"/>). The heap is measured after a full, compacting collection with nothing alive but
/// the cache (the Kubernetes objects it was fed are dropped first), once with the cache built from the initial lists
/// and once from one ADDED watch event per object. Deterministic in content; the figures vary by a few kilobytes.
/// </summary>
public static class ClusterCacheHeap
{
    private const double Megabyte = 1_000_000;

    public static void Print(TextWriter output, int nodes = 5_000, int pods = 50_000, int pending = 100)
    {
        ArgumentNullException.ThrowIfNull(output);

        // Everything the cache builds once per process (compiled comparers, static empties, the JIT's own objects) is
        // made by a small cache first, so the figures below are what the size of the cluster costs.
        GC.KeepAlive(Build(50, 500, 10, fromEvents: true, null));

        foreach (var fromEvents in new[] { false, true })
        {
            var before = Heap();
            var steps = new List<(long Bytes, long Fed, TimeSpan Took)>();
            var cache = Build(nodes, pods, pending, fromEvents, steps);
            var after = Heap();
            var nodeBytes = steps[0].Bytes - before;
            var podBytes = steps[1].Bytes - steps[0].Bytes;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cache built from {(fromEvents ? "ADDED events" : "lists")}: {nodes:N0} nodes, {pods:N0} pods ({pending} pending): " +
                $"{(after - before) / Megabyte:F1} MB managed heap ({(after - before) / 1024.0 / 1024:F1} MiB); " +
                $"nodes {nodeBytes / Megabyte:F1} MB ({nodeBytes / nodes:N0} B each), pods {podBytes / Megabyte:F1} MB ({podBytes / pods:N0} B each), " +
                $"read lists {(after - steps[1].Bytes) / Megabyte:F1} MB; applied in {steps[0].Took.TotalSeconds:F2} s + {steps[1].Took.TotalSeconds:F2} s; " +
                $"the objects fed (KubernetesClient's, alive only while applied) {steps[0].Fed / Megabyte:F1} MB + {steps[1].Fed / Megabyte:F1} MB"));
            GC.KeepAlive(cache);
        }
    }

    /// <summary>
    /// A cache of the fixture's nodes and pods; <paramref name="steps"/> gets the heap after the nodes and after the pods
    /// (each time with the fed objects already unreachable: they live only inside <see cref="Apply"/>).
    /// </summary>
    private static KubernetesClusterCache Build(int nodes, int pods, int pending, bool fromEvents, List<(long, long, TimeSpan)>? steps)
    {
        var cache = ClusterCacheFixture.NewCache();
        var (took, fed) = Apply(cache, nodes, 0, pending, fromEvents, steps is not null);
        steps?.Add((Heap(), fed, took));
        (took, fed) = Apply(cache, nodes, pods, pending, fromEvents, steps is not null);
        steps?.Add((Heap(), fed, took));

        // The sorted lists the readers get are cached until the next change; a running cache has them.
        _ = cache.Nodes();
        _ = cache.PendingPods();
        return cache;
    }

    /// <summary>
    /// Feeds the nodes (when <paramref name="pods"/> is 0) or the pods; returns the time the cache took to apply them and
    /// (when <paramref name="measure"/>) the heap the fed objects themselves took.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (TimeSpan Took, long Fed) Apply(KubernetesClusterCache cache, int nodes, int pods, int pending, bool fromEvents, bool measure)
    {
        var before = measure ? Heap() : 0;
        if (pods == 0)
        {
            var items = ClusterCacheFixture.Nodes(nodes);
            var fed = measure ? Heap() - before : 0;
            var clock = Stopwatch.StartNew();
            if (fromEvents)
            {
                items.ForEach(n => cache.ApplyNode(WatchEventType.Added, n));
            }
            else
            {
                cache.ReplaceNodes(items);
            }

            return (clock.Elapsed, fed);
        }
        else
        {
            var items = ClusterCacheFixture.Pods(pods, nodes, pending);
            var fed = measure ? Heap() - before : 0;
            var clock = Stopwatch.StartNew();
            if (fromEvents)
            {
                items.ForEach(p => cache.ApplyPod(WatchEventType.Added, p));
            }
            else
            {
                cache.ReplacePods(items);
            }

            return (clock.Elapsed, fed);
        }
    }

    private static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
