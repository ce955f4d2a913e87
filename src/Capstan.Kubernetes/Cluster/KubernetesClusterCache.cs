using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Capstan.Kubernetes.Conversions;
using Capstan.Kubernetes.Crds;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capstan.Kubernetes.Cluster;

/// <summary>
/// The production <see cref="IClusterState"/>: lists, then watches, Nodes, Pods (all namespaces) and
/// <c>karpenter.sh/v1alpha5</c> Provisioners, and keeps the views the extender and the webhook read.
/// </summary>
/// <remarks>
/// <para>Reads never lock: nodes (each in a <see cref="NodeSlot"/> that readers may keep) and pods live in <see cref="ConcurrentDictionary{TKey,TValue}"/>s written only
/// under the writer lock, and the sorted lists (<see cref="Nodes"/>, <see cref="PendingPods"/>) are built on
/// demand and cached until the next change. Watch events take the lock.</para>
/// <para>A <see cref="NodeView"/> is replaced only when its node changes in a way the view shows (heartbeats
/// and other status churn keep the instance) or when the set or the requests of its pods change, so callers may
/// cache facts per instance. Pods bound to a node the cache has not seen (yet) are kept and attached when it
/// appears. A re-list is applied as one diff under the lock: unchanged objects keep their instances.</para>
/// <para>Each resource runs its own loop: list (paged), then watch from the list's resourceVersion, resume from the
/// last seen version when the server ends a watch, and list again after a 410 Gone or a stream error, with a
/// jittered exponential backoff on <see cref="TimeProvider"/>. A missing Provisioner CRD (404) counts as an empty,
/// synced list, listed again every <see cref="KubernetesClusterCacheOptions.MissingCrdRetry"/>.</para>
/// </remarks>
public sealed class KubernetesClusterCache : BackgroundService, IClusterState
{
    private const string NodesResource = "nodes";
    private const string PodsResource = "pods";
    private const string ProvisionersResource = "provisioners";

    /// <summary>
    /// Finished pods hold no resources and are never scheduled again: the API server leaves them out of the pod
    /// list and watch (one that finishes arrives as DELETED), so completed Jobs cost neither memory nor events.
    /// </summary>
    internal const string LivePodsSelector = "status.phase!=Succeeded,status.phase!=Failed";

    private readonly IKubernetes _client;
    private readonly KubernetesClusterCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ClusterCacheMetrics? _metrics;

    // Writer state, under _gate.
    private readonly Dictionary<string, NodeView> _nodeBases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, PodRequest>> _podsByNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Provisioner> _provisionerMap = new(StringComparer.Ordinal);

    // Reader state: written under _gate, read without it.
    private readonly ConcurrentDictionary<string, NodeSlot> _slots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PodEntry> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PodRequest> _pending = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<Provisioner> _provisioners = [];
    private volatile ListCache<NodeView>? _nodeList;
    private volatile ListCache<PodRequest>? _pendingList;
    private long _nodesVersion;
    private long _pendingVersion;
    private volatile bool _nodesSynced;
    private volatile bool _podsSynced;
    private volatile bool _provisionersSynced;
    private int _syncLogged;

    public KubernetesClusterCache(IKubernetes client, KubernetesClusterCacheOptions? options = null, TimeProvider? timeProvider = null,
        ILogger<KubernetesClusterCache>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new KubernetesClusterCacheOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _metrics = meterFactory is null ? null : new ClusterCacheMetrics(meterFactory, this);
    }

    public bool IsSynced => _nodesSynced && _podsSynced && _provisionersSynced;

    /// <summary>Nodes in the cache (for metrics).</summary>
    internal int NodeCount => _slots.Count;

    /// <summary>Live pods in the cache, bound or pending (for metrics).</summary>
    internal int PodCount => _pods.Count;

    public IReadOnlyList<NodeView> Nodes()
    {
        var version = Volatile.Read(ref _nodesVersion);
        if (_nodeList is { } cached && cached.Version == version)
        {
            return cached.Items;
        }

        var items = new List<NodeView>();
        foreach (var (_, slot) in _slots)
        {
            if (slot.View is { } view)
            {
                items.Add(view);
            }
        }

        items.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        if (Volatile.Read(ref _nodesVersion) == version)
        {
            _nodeList = new ListCache<NodeView>(version, items);
        }

        return items;
    }

    public NodeView? FindNode(string name) => _slots.TryGetValue(name, out var slot) ? slot.View : null;

    public NodeSlot? FindSlot(string name) => _slots.GetValueOrDefault(name);

    public IReadOnlyList<Provisioner> Provisioners() => _provisioners;

    public IReadOnlyList<PodRequest> PendingPods()
    {
        var version = Volatile.Read(ref _pendingVersion);
        if (_pendingList is { } cached && cached.Version == version)
        {
            return cached.Items;
        }

        var items = new List<PodRequest>();
        foreach (var (_, pod) in _pending)
        {
            items.Add(pod);
        }

        items.Sort(static (a, b) => a.CreationOrder != b.CreationOrder
            ? a.CreationOrder.CompareTo(b.CreationOrder)
            : string.CompareOrdinal(a.Key, b.Key));
        if (Volatile.Read(ref _pendingVersion) == version)
        {
            _pendingList = new ListCache<PodRequest>(version, items);
        }

        return items;
    }

    public string? NodeOf(string podNamespace, string podName) =>
        _pods.TryGetValue(Key(podNamespace, podName), out var entry) ? entry.Node : null;

    public PodRequest? FindPod(string podNamespace, string podName) =>
        _pods.TryGetValue(Key(podNamespace, podName), out var entry) ? entry.Pod : null;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        RunAsync(NodesResource, ListNodesAsync, WatchNodes, ReplaceNodes, ApplyNode, () => _nodesSynced = true, missingIsEmpty: false, stoppingToken),
        RunAsync(PodsResource, ListPodsAsync, WatchPods, ReplacePods, ApplyPod, () => _podsSynced = true, missingIsEmpty: false, stoppingToken),
        RunAsync(ProvisionersResource, ListProvisionersAsync, WatchProvisioners, ReplaceProvisioners, ApplyProvisioner,
            () => _provisionersSynced = true, missingIsEmpty: true, stoppingToken));

    /// <summary>One resource's list-then-watch loop, until <paramref name="cancellationToken"/> fires.</summary>
    private async Task RunAsync<T>(
        string resource,
        Func<CancellationToken, Task<(IList<T> Items, string Version)>> list,
        Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Item)>> watch,
        Action<IList<T>> replace,
        Action<WatchEventType, T> apply,
        Action markSynced,
        bool missingIsEmpty,
        CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var backoff = new WatchBackoff(_options.InitialBackoff, _options.MaxBackoff, new Random(HashCode.Combine(_options.JitterSeed, resource.Length)));
        string? version = null;
        var missingReported = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                if (version is null)
                {
                    var (items, listVersion) = await list(cancellationToken).ConfigureAwait(false);
                    replace(items);
                    version = listVersion;
                    missingReported = false;
                    _logger.CacheListed(items.Count, resource, version);
                    _metrics?.Listed(resource);
                    markSynced();
                    LogSyncedOnce();
                }

                var watched = await WatchOnceAsync(watch, apply, version, cancellationToken).ConfigureAwait(false);
                var (gone, error, events) = (watched.Gone, watched.Error, watched.Events);
                version = watched.Version;

                if (gone)
                {
                    delay = backoff.Next();
                    _logger.WatchExpired(resource, version, delay);
                    _metrics?.WatchLost(resource, "gone");
                    version = null;
                }
                else if (error is not null)
                {
                    delay = backoff.Next();
                    _logger.WatchFailed(error, resource, delay);
                    _metrics?.WatchLost(resource, "error");
                    version = null;
                }
                else
                {
                    _logger.WatchClosed(resource, events, version);
                    if (events > 0)
                    {
                        backoff.Reset();
                        continue;
                    }

                    // A server that keeps closing empty watches at once must not be hammered.
                    delay = backoff.Next();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone)
            {
                delay = backoff.Next();
                _logger.WatchExpired(resource, version ?? "", delay);
                _metrics?.WatchLost(resource, "gone");
                version = null;
            }
            catch (HttpOperationException e) when (missingIsEmpty && e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                replace([]);
                markSynced();
                LogSyncedOnce();
                delay = _options.MissingCrdRetry;
                if (!missingReported)
                {
                    _logger.ProvisionerCrdMissing(delay);
                    missingReported = true;
                }

                version = null;
            }
#pragma warning disable CA1031 // A watch loop outlives every transient failure: log, back off, list again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                delay = backoff.Next();
                _logger.WatchFailed(e, resource, delay);
                _metrics?.WatchLost(resource, "error");
                version = null;
            }

            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads one watch until the server ends it, a 410 arrives or the stream fails.</summary>
    private static async Task<WatchOutcome> WatchOnceAsync<T>(
        Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Item)>> watch,
        Action<WatchEventType, T> apply,
        string version,
        CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        Exception? error = null;
        var gone = false;
        var events = 0;
        void OnError(Exception e)
        {
            if (e is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
            {
                gone = true;
            }
            else
            {
                error ??= e;
            }
        }

        try
        {
            await foreach (var (type, item) in watch(version, OnError, cancellationToken).ConfigureAwait(false))
            {
                events++;
                if (type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted && item is not null)
                {
                    apply(type, item);
                }

                if (item?.Metadata?.ResourceVersion is { Length: > 0 } seen)
                {
                    version = seen;
                }

                if (gone || error is not null)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (events == 0 && !gone && error is null && IsEmptyWatchBody(e))
        {
            // KubernetesClient reads the first line before it yields anything: a watch the server ends cleanly
            // before any event surfaces as an end-of-stream (or unreadable JSON) error. That is a normal close.
        }

        return new WatchOutcome(version, events, gone, error);
    }

    private static bool IsEmptyWatchBody(Exception e) =>
        e is JsonException || (e is HttpRequestException && e.InnerException is EndOfStreamException);

    private void LogSyncedOnce()
    {
        if (IsSynced && Interlocked.Exchange(ref _syncLogged, 1) == 0)
        {
            _logger.CacheSynced(_slots.Count, _pods.Count, _provisioners.Count);
        }
    }

    private int? WatchTimeoutSeconds => (int)Math.Max(1, _options.WatchTimeout.TotalSeconds);

    private Task<(IList<V1Node> Items, string Version)> ListNodesAsync(CancellationToken cancellationToken) =>
        ListAllAsync(async next =>
        {
            var page = await _client.CoreV1.ListNodeAsync(continueParameter: next, limit: _options.ListPageSize, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return (page.Items, page.Metadata);
        });

    private IAsyncEnumerable<(WatchEventType, V1Node)> WatchNodes(string version, Action<Exception> onError, CancellationToken cancellationToken) =>
        _client.CoreV1.WatchListNodeAsync(allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: WatchTimeoutSeconds,
            onError: onError, cancellationToken: cancellationToken);

    private Task<(IList<V1Pod> Items, string Version)> ListPodsAsync(CancellationToken cancellationToken) =>
        ListAllAsync(async next =>
        {
            var page = await _client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: next, fieldSelector: LivePodsSelector,
                limit: _options.ListPageSize, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (page.Items, page.Metadata);
        });

    private IAsyncEnumerable<(WatchEventType, V1Pod)> WatchPods(string version, Action<Exception> onError, CancellationToken cancellationToken) =>
        _client.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: LivePodsSelector, resourceVersion: version,
            timeoutSeconds: WatchTimeoutSeconds,
            onError: onError, cancellationToken: cancellationToken);

    private Task<(IList<V1Alpha5Provisioner> Items, string Version)> ListProvisionersAsync(CancellationToken cancellationToken) =>
        ListAllAsync(async next =>
        {
            var page = await _client.CustomObjects.ListClusterCustomObjectAsync<V1Alpha5ProvisionerList>(
                V1Alpha5Provisioner.Group, V1Alpha5Provisioner.Version, V1Alpha5Provisioner.Plural,
                continueParameter: next, limit: _options.ListPageSize, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (page.Items, page.Metadata);
        });

    /// <summary>Every page of a list (following <c>continue</c>), and the resourceVersion to watch from.</summary>
    private static async Task<(IList<T> Items, string Version)> ListAllAsync<T>(Func<string?, Task<(IList<T>? Items, V1ListMeta? Metadata)>> listPage)
    {
        var items = new List<T>();
        string? next = null;
        string version;
        do
        {
            var (pageItems, metadata) = await listPage(next).ConfigureAwait(false);
            items.AddRange(pageItems ?? []);
            version = metadata?.ResourceVersion ?? "";
            next = metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));

        return (items, version);
    }

    private async IAsyncEnumerable<(WatchEventType, V1Alpha5Provisioner)> WatchProvisioners(string version, Action<Exception> onError,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = _client.CustomObjects.WatchListClusterCustomObjectAsync(
            V1Alpha5Provisioner.Group, V1Alpha5Provisioner.Version, V1Alpha5Provisioner.Plural,
            allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: WatchTimeoutSeconds,
            onError: onError, cancellationToken: cancellationToken);
        await foreach (var (type, item) in events.ConfigureAwait(false))
        {
            // Custom objects arrive untyped (a JsonElement); read them as the CRD type.
            var provisioner = item is JsonElement element ? KubernetesJson.Deserialize<V1Alpha5Provisioner>(element.GetRawText()) : null;
            if (provisioner is not null)
            {
                yield return (type, provisioner);
            }
        }
    }

    private void ReplaceNodes(IList<V1Node> nodes)
    {
        var fresh = new Dictionary<string, NodeView>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (TryConvertNode(node) is { } view)
            {
                fresh[view.Name] = view;
            }
        }

        lock (_gate)
        {
            foreach (var name in _nodeBases.Keys.Where(n => !fresh.ContainsKey(n)).ToList())
            {
                RemoveNodeLocked(name);
            }

            foreach (var view in fresh.Values)
            {
                UpsertNodeLocked(view);
            }
        }
    }

    private void ApplyNode(WatchEventType type, V1Node node)
    {
        var name = node.Metadata?.Name ?? "";
        var view = type == WatchEventType.Deleted ? null : TryConvertNode(node);
        lock (_gate)
        {
            if (view is null)
            {
                RemoveNodeLocked(name);
            }
            else
            {
                UpsertNodeLocked(view);
            }
        }
    }

    private NodeView? TryConvertNode(V1Node node)
    {
        try
        {
            return NodeConversions.ToNodeView(node, _options.Pricing);
        }
        catch (FormatException e)
        {
            _logger.ObjectSkipped("node", node.Metadata?.Name ?? "", e.Message);
            return null;
        }
    }

    private void UpsertNodeLocked(NodeView view)
    {
        if (_nodeBases.TryGetValue(view.Name, out var current) && NodeConversions.SameNode(current, view))
        {
            return;
        }

        _nodeBases[view.Name] = view;
        RefreshNodeLocked(view.Name);
    }

    private void RemoveNodeLocked(string name)
    {
        // Pods bound to the node stay: they are attached again if the node comes back, and go with their own DELETED.
        if (_nodeBases.Remove(name))
        {
            if (_slots.TryRemove(name, out var slot))
            {
                slot.Clear();
            }

            Interlocked.Increment(ref _nodesVersion);
        }
    }

    private void RefreshNodeLocked(string name)
    {
        if (!_nodeBases.TryGetValue(name, out var node))
        {
            return;
        }

        IReadOnlyList<PodRequest> pods = [];
        if (_podsByNode.TryGetValue(name, out var bound))
        {
            var list = bound.Values.ToList();
            list.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            pods = list;
        }

        var view = node with { Pods = pods };
        if (_slots.TryGetValue(name, out var slot))
        {
            slot.Update(view);
        }
        else
        {
            _slots[name] = new NodeSlot(view);
        }

        Interlocked.Increment(ref _nodesVersion);
    }

    private void ReplacePods(IList<V1Pod> pods)
    {
        var fresh = new Dictionary<string, PodEntry>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (TryConvertPod(pod) is { } entry)
            {
                fresh[entry.Pod.Key] = entry;
            }
        }

        lock (_gate)
        {
            var touched = new HashSet<string>(StringComparer.Ordinal);
            foreach (var key in _pods.Keys.Where(k => !fresh.ContainsKey(k)).ToList())
            {
                RemovePodLocked(key, touched);
            }

            foreach (var (key, entry) in fresh)
            {
                UpsertPodLocked(key, entry, touched);
            }

            foreach (var name in touched)
            {
                RefreshNodeLocked(name);
            }
        }
    }

    private void ApplyPod(WatchEventType type, V1Pod pod)
    {
        var key = Key(string.IsNullOrEmpty(pod.Metadata?.NamespaceProperty) ? "default" : pod.Metadata.NamespaceProperty, pod.Metadata?.Name ?? "");
        var entry = type == WatchEventType.Deleted ? null : TryConvertPod(pod);
        lock (_gate)
        {
            var touched = new HashSet<string>(StringComparer.Ordinal);
            if (entry is null)
            {
                RemovePodLocked(key, touched);
            }
            else
            {
                UpsertPodLocked(key, entry, touched);
            }

            foreach (var name in touched)
            {
                RefreshNodeLocked(name);
            }
        }
    }

    /// <summary>The pod as the cache keeps it; null for terminal pods (they hold no resources) and unreadable ones.</summary>
    private PodEntry? TryConvertPod(V1Pod pod)
    {
        if (pod.Status?.Phase is "Succeeded" or "Failed")
        {
            return null;
        }

        try
        {
            var created = pod.Metadata?.CreationTimestamp is { } timestamp ? DateTime.SpecifyKind(timestamp, DateTimeKind.Utc).Ticks : 0;
            var request = PodConversions.ToPodRequest(pod, created);
            return new PodEntry(request, string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName);
        }
        catch (FormatException e)
        {
            _logger.ObjectSkipped("pod", $"{pod.Metadata?.NamespaceProperty}/{pod.Metadata?.Name}", e.Message);
            return null;
        }
    }

    private void UpsertPodLocked(string key, PodEntry entry, HashSet<string> touched)
    {
        if (_pods.TryGetValue(key, out var current))
        {
            if (current.Node == entry.Node && SamePod(current.Pod, entry.Pod))
            {
                return;
            }

            DetachLocked(key, current, touched);
        }

        _pods[key] = entry;
        if (entry.Node is null)
        {
            _pending[key] = entry.Pod;
            Interlocked.Increment(ref _pendingVersion);
        }
        else
        {
            if (!_podsByNode.TryGetValue(entry.Node, out var bound))
            {
                bound = new Dictionary<string, PodRequest>(StringComparer.Ordinal);
                _podsByNode[entry.Node] = bound;
            }

            bound[key] = entry.Pod;
            touched.Add(entry.Node);
        }
    }

    private void RemovePodLocked(string key, HashSet<string> touched)
    {
        if (_pods.TryRemove(key, out var current))
        {
            DetachLocked(key, current, touched);
        }
    }

    private void DetachLocked(string key, PodEntry entry, HashSet<string> touched)
    {
        if (entry.Node is null)
        {
            _pending.TryRemove(key, out _);
            Interlocked.Increment(ref _pendingVersion);
        }
        else if (_podsByNode.TryGetValue(entry.Node, out var bound))
        {
            bound.Remove(key);
            if (bound.Count == 0)
            {
                _podsByNode.Remove(entry.Node);
            }

            touched.Add(entry.Node);
        }
    }

    /// <summary>What the views show of a pod; status-only updates (the bulk of pod events) compare equal.</summary>
    private static bool SamePod(PodRequest a, PodRequest b) =>
        a.Uid == b.Uid
        && a.CreationOrder == b.CreationOrder
        && a.DoNotEvict == b.DoNotEvict
        && a.Requests.Equals(b.Requests)
        && NodeConversions.SameMap(a.Labels, b.Labels)
        && a.Tolerations.SequenceEqual(b.Tolerations);

    private void ReplaceProvisioners(IList<V1Alpha5Provisioner> provisioners)
    {
        var fresh = provisioners.Select(TryConvertProvisioner).OfType<Provisioner>().ToList();
        lock (_gate)
        {
            _provisionerMap.Clear();
            foreach (var provisioner in fresh)
            {
                _provisionerMap[provisioner.Name] = provisioner;
            }

            PublishProvisionersLocked();
        }
    }

    private void ApplyProvisioner(WatchEventType type, V1Alpha5Provisioner crd)
    {
        var name = crd.Metadata?.Name ?? "";
        var provisioner = type == WatchEventType.Deleted ? null : TryConvertProvisioner(crd);
        lock (_gate)
        {
            if (provisioner is null)
            {
                _provisionerMap.Remove(name);
            }
            else
            {
                _provisionerMap[name] = provisioner;
            }

            PublishProvisionersLocked();
        }
    }

    private Provisioner? TryConvertProvisioner(V1Alpha5Provisioner crd)
    {
        try
        {
            return ProvisionerDefaults.Apply(ProvisionerConversions.ToProvisioner(crd));
        }
        catch (FormatException e)
        {
            _logger.ObjectSkipped("provisioner", crd.Metadata?.Name ?? "", e.Message);
            return null;
        }
    }

    private void PublishProvisionersLocked() =>
        _provisioners = [.. _provisionerMap.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];

    private static string Key(string podNamespace, string podName) => podNamespace + "/" + podName;

    private sealed record PodEntry(PodRequest Pod, string? Node);

    private sealed record WatchOutcome(string Version, int Events, bool Gone, Exception? Error);

    private sealed record ListCache<T>(long Version, IReadOnlyList<T> Items);
}
