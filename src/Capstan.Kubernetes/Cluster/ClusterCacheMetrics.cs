using System.Diagnostics.Metrics;

namespace Capstan.Kubernetes.Cluster;

/// <summary>
/// The cluster cache's health on the <c>Capstan.ClusterCache</c> meter: lists and watch restarts per resource
/// (a cache that keeps listing again is one to look at), whether it is synced, and how much it holds.
/// Published by the host on <c>/metrics</c> as <c>capstan_clustercache_*</c>.
/// </summary>
internal sealed class ClusterCacheMetrics
{
    public const string MeterName = "Capstan.ClusterCache";

    private readonly Counter<long> _lists;
    private readonly Counter<long> _watchRestarts;

    public ClusterCacheMetrics(IMeterFactory meterFactory, KubernetesClusterCache cache)
    {
        var meter = meterFactory.Create(MeterName);
        _lists = meter.CreateCounter<long>("lists", "{list}", "Complete lists of a resource (the first one, then one after every lost watch).");
        _watchRestarts = meter.CreateCounter<long>("watch.restarts", "{watch}",
            "Watches that ended in a way that needs a new list, by resource and reason (gone: 410, the version was compacted; error).");
        meter.CreateObservableGauge("synced", () => cache.IsSynced ? 1 : 0, description: "1 once nodes, pods and provisioners have all been listed.");
        meter.CreateObservableGauge("nodes", () => cache.NodeCount, "{node}", "Nodes in the cache.");
        meter.CreateObservableGauge("pods", () => cache.PodCount, "{pod}", "Live pods in the cache, bound or pending.");
    }

    public void Listed(string resource) => _lists.Add(1, new KeyValuePair<string, object?>("resource", resource));

    public void WatchLost(string resource, string reason) =>
        _watchRestarts.Add(1, new KeyValuePair<string, object?>("resource", resource), new KeyValuePair<string, object?>("reason", reason));
}
