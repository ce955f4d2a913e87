using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Capstan.Core.Cloud;
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
/// The production <see cref="IClusterState"/>: lists, then watches, Nodes, Pods (all namespaces),
/// <c>karpenter.sh/v1alpha5</c> Provisioners, <c>karpenter.k8s.aws/v1alpha1</c> AWSNodeTemplates, DaemonSets,
/// Namespaces and PodDisruptionBudgets, keeps the views the extender, the webhook and the controllers read, and
/// publishes every change those views show on its <see cref="Subscribe"/> feed.
/// </summary>
/// <remarks>
/// <para>Reads never lock: nodes (each in a <see cref="NodeSlot"/> that readers may keep) and pods live in <see cref="ConcurrentDictionary{TKey,TValue}"/>s written only
/// under the writer lock, and the sorted lists (<see cref="Nodes"/>, <see cref="PendingPods"/>) are built on
/// demand and cached until the next change. Watch events take the lock.</para>
/// <para>A <see cref="NodeView"/> is replaced only when its node changes in a way the view shows (heartbeats
/// and other status churn keep the instance) or when the set or the <see cref="PodRequest"/>s of its pods change
/// (a pod's lifecycle, such as its phase or conditions, changes its <see cref="PodView"/> only), so callers may
/// cache facts per instance. Pods bound to a node the cache has not seen (yet) are kept and attached when it
/// appears. A re-list is applied as one diff under the lock: unchanged objects keep their instances.</para>
/// <para>Each resource runs its own loop: list (paged), then watch from the list's resourceVersion, resume from the
/// last seen version when the server ends a watch, and list again after a 410 Gone or a stream error, with a
/// jittered exponential backoff on <see cref="TimeProvider"/>. A missing Provisioner or AWSNodeTemplate CRD (404)
/// counts as an empty, synced list, listed again every <see cref="KubernetesClusterCacheOptions.MissingCrdRetry"/>.</para>
/// <para>What is a change is derived (<see cref="ValueEquality"/> over the whole view), never a hand-kept field list.
/// Changes are published after the readers' state, under the writer lock, so their order is the watches' order.</para>
/// </remarks>
public sealed class KubernetesClusterCache : BackgroundService, IClusterState
{
    private const string NodesResource = "nodes";
    private const string PodsResource = "pods";
    private const string ProvisionersResource = "provisioners";
    private const string NodeTemplatesResource = "awsnodetemplates";
    private const string DaemonSetsResource = "daemonsets";
    private const string NamespacesResource = "namespaces";
    private const string DisruptionBudgetsResource = "poddisruptionbudgets";

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
    private readonly ClusterChangeFeed _feed = new();

    // Writer state, under _gate.
    private readonly Dictionary<string, NodeView> _nodeBases = new(StringComparer.Ordinal);
    // Each node's bound pods by key, in key order: a node's view takes them as they are, without sorting per event.
    private readonly Dictionary<string, SortedList<string, PodRequest>> _podsByNode = new(StringComparer.Ordinal);

    // Reader state: written under _gate, read without it.
    private readonly ConcurrentDictionary<string, NodeSlot> _slots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PodView> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PodView> _pending = new(StringComparer.Ordinal);
    private readonly ResourceCollection<Provisioner> _provisioners;
    private readonly ResourceCollection<NodeTemplate> _nodeTemplates;
    private readonly ResourceCollection<PodRequest> _daemonSets;
    private readonly ResourceCollection<NamespaceEntry> _namespaces;
    private readonly ResourceCollection<DisruptionBudget> _budgets;
    private volatile ListCache<NodeView>? _nodeList;
    private volatile ListCache<NodeSlot>? _slotOrder;
    private volatile ListCache<PodRequest>? _pendingList;
    private volatile ListCache<PodView>? _pendingViewList;
    private volatile NamespaceMap? _namespaceMap;
    private long _nodesVersion;
    private long _slotsVersion;
    private long _pendingVersion;
    private volatile bool _nodesSynced;
    private volatile bool _podsSynced;
    private volatile bool _provisionersSynced;
    private volatile bool _nodeTemplatesSynced;
    private volatile bool _daemonSetsSynced;
    private volatile bool _namespacesSynced;
    private volatile bool _budgetsSynced;
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
        _provisioners = new ResourceCollection<Provisioner>(ClusterObjectKind.Provisioner, p => p.Name, _feed);
        _nodeTemplates = new ResourceCollection<NodeTemplate>(ClusterObjectKind.NodeTemplate, t => t.Name ?? "", _feed);
        _daemonSets = new ResourceCollection<PodRequest>(ClusterObjectKind.DaemonSet, d => d.Key, _feed);
        _namespaces = new ResourceCollection<NamespaceEntry>(ClusterObjectKind.Namespace, n => n.Name, _feed);
        _budgets = new ResourceCollection<DisruptionBudget>(ClusterObjectKind.DisruptionBudget, b => b.Key, _feed);
    }

    public bool IsSynced => _nodesSynced && _podsSynced && _provisionersSynced
        && _nodeTemplatesSynced && _daemonSetsSynced && _namespacesSynced && _budgetsSynced;

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

        // Pod events replace node views far more often than nodes come and go: the slots stay sorted by name until
        // the set of nodes changes, and the list is their current views read in that order.
        var slots = SlotsByName();
        var items = new List<NodeView>(slots.Count);
        foreach (var slot in slots)
        {
            if (slot.View is { } view)
            {
                items.Add(view);
            }
        }

        if (Volatile.Read(ref _nodesVersion) == version)
        {
            _nodeList = new ListCache<NodeView>(version, items);
        }

        return items;
    }

    /// <summary>The nodes' slots sorted by name, built again only after a node was added or removed.</summary>
    private IReadOnlyList<NodeSlot> SlotsByName()
    {
        var version = Volatile.Read(ref _slotsVersion);
        if (_slotOrder is { } cached && cached.Version == version)
        {
            return cached.Items;
        }

        var slots = _slots.ToArray();
        Array.Sort(slots, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var items = Array.ConvertAll(slots, static s => s.Value);
        if (Volatile.Read(ref _slotsVersion) == version)
        {
            _slotOrder = new ListCache<NodeSlot>(version, items);
        }

        return items;
    }

    public NodeView? FindNode(string name) => _slots.TryGetValue(name, out var slot) ? slot.View : null;

    public NodeSlot? FindSlot(string name) => _slots.GetValueOrDefault(name);

    public IReadOnlyList<Provisioner> Provisioners() => _provisioners.Items;

    public IReadOnlyList<NodeTemplate> NodeTemplates() => _nodeTemplates.Items;

    public IReadOnlyList<PodRequest> DaemonSetPods() => _daemonSets.Items;

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels()
    {
        var items = _namespaces.Items;
        if (_namespaceMap is { } cached && ReferenceEquals(cached.Source, items))
        {
            return cached.Labels;
        }

        var map = items.ToDictionary(n => n.Name, n => n.Labels, StringComparer.Ordinal);
        _namespaceMap = new NamespaceMap(items, map);
        return map;
    }

    public IReadOnlyList<DisruptionBudget> DisruptionBudgets() => _budgets.Items;

    public ClusterSubscription Subscribe(Func<ClusterChange, bool>? filter = null) => _feed.Subscribe(filter);

    public IReadOnlyList<PodRequest> PendingPods()
    {
        var version = Volatile.Read(ref _pendingVersion);
        if (_pendingList is { } cached && cached.Version == version)
        {
            return cached.Items;
        }

        var items = PendingPodViews().Select(p => p.Request).ToList();
        if (Volatile.Read(ref _pendingVersion) == version)
        {
            _pendingList = new ListCache<PodRequest>(version, items);
        }

        return items;
    }

    public IReadOnlyList<PodView> PendingPodViews()
    {
        var version = Volatile.Read(ref _pendingVersion);
        if (_pendingViewList is { } cached && cached.Version == version)
        {
            return cached.Items;
        }

        var items = new List<PodView>();
        foreach (var (_, pod) in _pending)
        {
            items.Add(pod);
        }

        items.Sort(static (a, b) => a.Request.CreationOrder != b.Request.CreationOrder
            ? a.Request.CreationOrder.CompareTo(b.Request.CreationOrder)
            : string.CompareOrdinal(a.Key, b.Key));
        if (Volatile.Read(ref _pendingVersion) == version)
        {
            _pendingViewList = new ListCache<PodView>(version, items);
        }

        return items;
    }

    public string? NodeOf(string podNamespace, string podName) =>
        _pods.TryGetValue(Key(podNamespace, podName), out var pod) ? pod.NodeName : null;

    public PodRequest? FindPod(string podNamespace, string podName) =>
        _pods.TryGetValue(Key(podNamespace, podName), out var pod) ? pod.Request : null;

    public PodView? FindPodView(string podNamespace, string podName) => _pods.GetValueOrDefault(Key(podNamespace, podName));

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var replaceProvisioners = Replacer<V1Alpha5Provisioner, Provisioner>(_provisioners, TryConvertProvisioner);
        var replaceDaemonSets = Replacer<V1DaemonSet, PodRequest>(_daemonSets, TryConvertDaemonSet);
        var replaceNamespaces = Replacer<V1Namespace, NamespaceEntry>(_namespaces, ToNamespaceEntry);
        var replaceBudgets = Replacer<V1PodDisruptionBudget, DisruptionBudget>(_budgets, TryConvertDisruptionBudget);
        var loops = new List<Task>
        {
            RunAsync<V1Node>(NodesResource, ListNodesAsync, WatchNodes, ApplyNode, () => _nodesSynced = true, null, stoppingToken),
            RunAsync<V1Pod>(PodsResource, ListPodsAsync, WatchPods, ApplyPod, () => _podsSynced = true, null, stoppingToken),
            RunAsync(ProvisionersResource, Listed(ListProvisionersAsync, replaceProvisioners), WatchCustom<V1Alpha5Provisioner>(V1Alpha5Provisioner.Group,
                    V1Alpha5Provisioner.Version, V1Alpha5Provisioner.Plural),
                Applier<V1Alpha5Provisioner, Provisioner>(_provisioners, TryConvertProvisioner, c => c.Metadata?.Name ?? ""),
                () => _provisionersSynced = true, new MissingCrd(() => replaceProvisioners([]), _logger.ProvisionerCrdMissing), stoppingToken),
            RunAsync(DaemonSetsResource, Listed(ListDaemonSetsAsync, replaceDaemonSets), WatchDaemonSets,
                Applier<V1DaemonSet, PodRequest>(_daemonSets, TryConvertDaemonSet, NamespacedKey),
                () => _daemonSetsSynced = true, null, stoppingToken),
            RunAsync(NamespacesResource, Listed(ListNamespacesAsync, replaceNamespaces), WatchNamespaces,
                Applier<V1Namespace, NamespaceEntry>(_namespaces, ToNamespaceEntry, n => n.Metadata?.Name ?? ""),
                () => _namespacesSynced = true, null, stoppingToken),
            RunAsync(DisruptionBudgetsResource, Listed(ListDisruptionBudgetsAsync, replaceBudgets), WatchDisruptionBudgets,
                Applier<V1PodDisruptionBudget, DisruptionBudget>(_budgets, TryConvertDisruptionBudget, NamespacedKey),
                () => _budgetsSynced = true, null, stoppingToken),
        };

        if (_options.NodeTemplateConverter is { } converter)
        {
            NodeTemplate? Convert(V1Alpha1AwsNodeTemplate crd) => TryConvert("awsnodetemplate", crd.Metadata?.Name ?? "", () => converter(crd));
            var replaceNodeTemplates = Replacer<V1Alpha1AwsNodeTemplate, NodeTemplate>(_nodeTemplates, Convert);
            loops.Add(RunAsync(NodeTemplatesResource, Listed(ListNodeTemplatesAsync, replaceNodeTemplates), WatchCustom<V1Alpha1AwsNodeTemplate>(V1Alpha1AwsNodeTemplate.Group,
                    V1Alpha1AwsNodeTemplate.Version, V1Alpha1AwsNodeTemplate.Plural),
                Applier<V1Alpha1AwsNodeTemplate, NodeTemplate>(_nodeTemplates, Convert, c => c.Metadata?.Name ?? ""),
                () => _nodeTemplatesSynced = true, new MissingCrd(() => replaceNodeTemplates([]), _logger.NodeTemplateCrdMissing), stoppingToken));
        }
        else
        {
            _logger.NodeTemplatesNotWatched();
            _nodeTemplatesSynced = true;
        }

        return Task.WhenAll(loops);
    }

    /// <summary>One resource's list-then-watch loop, until <paramref name="cancellationToken"/> fires.</summary>
    private async Task RunAsync<T>(
        string resource,
        Func<CancellationToken, Task<Listing>> list,
        Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Item)>> watch,
        Action<WatchEventType, T> apply,
        Action markSynced,
        MissingCrd? missing,
        CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var missingIsEmpty = missing is not null;
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
                    var listed = await list(cancellationToken).ConfigureAwait(false);
                    listed.Apply();
                    version = listed.Version;
                    missingReported = false;
                    _logger.CacheListed(listed.Count, resource, version);
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
                missing!.ApplyEmpty();
                markSynced();
                LogSyncedOnce();
                delay = _options.MissingCrdRetry;
                if (!missingReported)
                {
                    missing.Report(delay);
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
            _logger.CacheSynced(_slots.Count, _pods.Count, _provisioners.Items.Count);
            _logger.CacheSyncedKinds(_nodeTemplates.Items.Count, _daemonSets.Items.Count, _namespaces.Items.Count, _budgets.Items.Count);
        }
    }

    private int? WatchTimeoutSeconds => (int)Math.Max(1, _options.WatchTimeout.TotalSeconds);

    /// <summary>The nodes, each page converted as it comes (the page's objects are not kept), then applied as one diff.</summary>
    private async Task<Listing> ListNodesAsync(CancellationToken cancellationToken)
    {
        var fresh = new Dictionary<string, NodeView>(StringComparer.Ordinal);
        var count = 0;
        var version = await ListPagesAsync<V1Node>(
            async next =>
            {
                var page = await _client.CoreV1.ListNodeAsync(continueParameter: next, limit: _options.ListPageSize, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                return (page.Items, page.Metadata);
            },
            nodes => count += AddNodeViews(nodes, fresh)).ConfigureAwait(false);
        return new Listing(count, version, () => ReplaceNodeViews(fresh));
    }

    private IAsyncEnumerable<(WatchEventType, V1Node)> WatchNodes(string version, Action<Exception> onError, CancellationToken cancellationToken) =>
        _client.CoreV1.WatchListNodeAsync(allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: WatchTimeoutSeconds,
            onError: onError, cancellationToken: cancellationToken);

    /// <summary>
    /// The live pods, each page converted as it comes, then applied as one diff: a list of 50,000 pods as
    /// KubernetesClient objects is several times the size of their views, and is never all alive at once.
    /// </summary>
    private async Task<Listing> ListPodsAsync(CancellationToken cancellationToken)
    {
        var fresh = new Dictionary<string, PodView>(StringComparer.Ordinal);
        var count = 0;
        var version = await ListPagesAsync<V1Pod>(
            async next =>
            {
                var page = await _client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: next, fieldSelector: LivePodsSelector,
                    limit: _options.ListPageSize, cancellationToken: cancellationToken).ConfigureAwait(false);
                return (page.Items, page.Metadata);
            },
            pods => count += AddPodViews(pods, fresh)).ConfigureAwait(false);
        return new Listing(count, version, () => ReplacePodViews(fresh));
    }

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
        var version = await ListPagesAsync(listPage, items.AddRange).ConfigureAwait(false);
        return (items, version);
    }

    /// <summary>Hands every page of a list (following <c>continue</c>) to <paramref name="onPage"/>; returns the resourceVersion to watch from.</summary>
    private static async Task<string> ListPagesAsync<T>(Func<string?, Task<(IList<T>? Items, V1ListMeta? Metadata)>> listPage, Action<IList<T>> onPage)
    {
        string? next = null;
        string version;
        do
        {
            var (pageItems, metadata) = await listPage(next).ConfigureAwait(false);
            onPage(pageItems ?? []);
            version = metadata?.ResourceVersion ?? "";
            next = metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));

        return version;
    }

    /// <summary>A list of one kind, read as its raw objects and applied by <paramref name="replace"/>.</summary>
    private static Func<CancellationToken, Task<Listing>> Listed<T>(Func<CancellationToken, Task<(IList<T> Items, string Version)>> list, Action<IList<T>> replace) =>
        async cancellationToken =>
        {
            var (items, version) = await list(cancellationToken).ConfigureAwait(false);
            return new Listing(items.Count, version, () => replace(items));
        };

    private Task<(IList<V1Alpha1AwsNodeTemplate> Items, string Version)> ListNodeTemplatesAsync(CancellationToken cancellationToken) =>
        ListAllAsync(async next =>
        {
            var page = await _client.CustomObjects.ListClusterCustomObjectAsync<V1Alpha1AwsNodeTemplateList>(
                V1Alpha1AwsNodeTemplate.Group, V1Alpha1AwsNodeTemplate.Version, V1Alpha1AwsNodeTemplate.Plural,
                continueParameter: next, limit: _options.ListPageSize, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (page.Items, page.Metadata);
        });

    private Task<(IList<V1DaemonSet> Items, string Version)> ListDaemonSetsAsync(CancellationToken cancellationToken) =>
        ListAllAsync(async next =>
        {
            var page = await _client.AppsV1.ListDaemonSetForAllNamespacesAsync(continueParameter: next, limit: _options.ListPageSize,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return (page.Items, page.Metadata);
        });

    private IAsyncEnumerable<(WatchEventType, V1DaemonSet)> WatchDaemonSets(string version, Action<Exception> onError, CancellationToken cancellationToken) =>
        _client.AppsV1.WatchListDaemonSetForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: WatchTimeoutSeconds,
            onError: onError, cancellationToken: cancellationToken);

    private Task<(IList<V1Namespace> Items, string Version)> ListNamespacesAsync(CancellationToken cancellationToken) =>
        ListAllAsync(async next =>
        {
            var page = await _client.CoreV1.ListNamespaceAsync(continueParameter: next, limit: _options.ListPageSize, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return (page.Items, page.Metadata);
        });

    private IAsyncEnumerable<(WatchEventType, V1Namespace)> WatchNamespaces(string version, Action<Exception> onError, CancellationToken cancellationToken) =>
        _client.CoreV1.WatchListNamespaceAsync(allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: WatchTimeoutSeconds,
            onError: onError, cancellationToken: cancellationToken);

    private Task<(IList<V1PodDisruptionBudget> Items, string Version)> ListDisruptionBudgetsAsync(CancellationToken cancellationToken) =>
        ListAllAsync(async next =>
        {
            var page = await _client.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(continueParameter: next, limit: _options.ListPageSize,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return (page.Items, page.Metadata);
        });

    private IAsyncEnumerable<(WatchEventType, V1PodDisruptionBudget)> WatchDisruptionBudgets(string version, Action<Exception> onError,
        CancellationToken cancellationToken) =>
        _client.PolicyV1.WatchListPodDisruptionBudgetForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: version,
            timeoutSeconds: WatchTimeoutSeconds, onError: onError, cancellationToken: cancellationToken);

    /// <summary>The watch of a cluster-scoped custom resource, its untyped items read as <typeparamref name="T"/>.</summary>
    private Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> WatchCustom<T>(string group, string version,
        string plural)
        where T : class =>
        (resourceVersion, onError, cancellationToken) => WatchCustomAsync<T>(group, version, plural, resourceVersion, onError, cancellationToken);

    private async IAsyncEnumerable<(WatchEventType, T)> WatchCustomAsync<T>(string group, string apiVersion, string plural, string version,
        Action<Exception> onError, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        var events = _client.CustomObjects.WatchListClusterCustomObjectAsync(
            group, apiVersion, plural,
            allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: WatchTimeoutSeconds,
            onError: onError, cancellationToken: cancellationToken);
        await foreach (var (type, item) in events.ConfigureAwait(false))
        {
            // Custom objects arrive untyped (a JsonElement); read them as the CRD type.
            var typed = item is JsonElement element ? KubernetesJson.Deserialize<T>(element.GetRawText()) : null;
            if (typed is not null)
            {
                yield return (type, typed);
            }
        }
    }

    /// <summary>Applies a (re-)list of nodes as one diff; the list loop's step, reachable for the benchmarks.</summary>
    internal void ReplaceNodes(IList<V1Node> nodes)
    {
        var fresh = new Dictionary<string, NodeView>(StringComparer.Ordinal);
        AddNodeViews(nodes, fresh);
        ReplaceNodeViews(fresh);
    }

    /// <summary>Converts listed nodes into <paramref name="fresh"/> (the unreadable ones are logged and left out); returns how many were listed.</summary>
    private int AddNodeViews(IList<V1Node> nodes, Dictionary<string, NodeView> fresh)
    {
        foreach (var node in nodes)
        {
            if (TryConvertNode(node) is { } view)
            {
                fresh[view.Name] = view;
            }
        }

        return nodes.Count;
    }

    /// <summary>Makes the cache's nodes those of a list: one diff under the lock, unchanged nodes keep their views.</summary>
    private void ReplaceNodeViews(Dictionary<string, NodeView> fresh)
    {
        lock (_gate)
        {
            var changes = new List<ClusterChange>();
            foreach (var name in _nodeBases.Keys.Where(n => !fresh.ContainsKey(n)).ToList())
            {
                RemoveNodeLocked(name, changes);
            }

            foreach (var view in fresh.Values)
            {
                UpsertNodeLocked(view, changes);
            }

            PublishLocked(changes);
        }
    }

    /// <summary>Applies one node watch event; the watch loop's step, reachable for the benchmarks.</summary>
    internal void ApplyNode(WatchEventType type, V1Node node)
    {
        var name = node.Metadata?.Name ?? "";
        var view = type == WatchEventType.Deleted ? null : TryConvertNode(node);
        lock (_gate)
        {
            var changes = new List<ClusterChange>(1);
            if (view is null)
            {
                RemoveNodeLocked(name, changes);
            }
            else
            {
                UpsertNodeLocked(view, changes);
            }

            PublishLocked(changes);
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

    private void UpsertNodeLocked(NodeView view, List<ClusterChange> changes)
    {
        if (_nodeBases.TryGetValue(view.Name, out var current) && NodeConversions.SameNode(current, view))
        {
            return;
        }

        var previous = _slots.GetValueOrDefault(view.Name)?.View;
        _nodeBases[view.Name] = view;
        RefreshNodeLocked(view.Name);
        changes.Add(ClusterChange.ForNode(previous, _slots.GetValueOrDefault(view.Name)?.View));
    }

    private void RemoveNodeLocked(string name, List<ClusterChange> changes)
    {
        // Pods bound to the node stay: they are attached again if the node comes back, and go with their own DELETED.
        if (_nodeBases.Remove(name))
        {
            NodeView? previous = null;
            if (_slots.TryRemove(name, out var slot))
            {
                previous = slot.View;
                slot.Clear();
                Interlocked.Increment(ref _slotsVersion);
            }

            Interlocked.Increment(ref _nodesVersion);
            if (previous is not null)
            {
                changes.Add(ClusterChange.ForNode(previous, null));
            }
        }
    }

    private void PublishLocked(List<ClusterChange> changes)
    {
        foreach (var change in changes)
        {
            _feed.Publish(change);
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
            var sorted = new PodRequest[bound.Count];
            bound.Values.CopyTo(sorted, 0);
            pods = sorted;
        }

        var view = node with { Pods = pods };
        if (_slots.TryGetValue(name, out var slot))
        {
            slot.Update(view);
        }
        else
        {
            _slots[name] = new NodeSlot(view);
            Interlocked.Increment(ref _slotsVersion);
        }

        Interlocked.Increment(ref _nodesVersion);
    }

    /// <summary>Applies a (re-)list of pods as one diff; the list loop's step, reachable for the benchmarks.</summary>
    internal void ReplacePods(IList<V1Pod> pods)
    {
        var fresh = new Dictionary<string, PodView>(StringComparer.Ordinal);
        AddPodViews(pods, fresh);
        ReplacePodViews(fresh);
    }

    /// <summary>Converts listed pods into <paramref name="fresh"/> (terminal and unreadable ones left out); returns how many were listed.</summary>
    private int AddPodViews(IList<V1Pod> pods, Dictionary<string, PodView> fresh)
    {
        foreach (var pod in pods)
        {
            if (TryConvertPod(pod) is { } view)
            {
                fresh[view.Key] = view;
            }
        }

        return pods.Count;
    }

    /// <summary>Makes the cache's pods those of a list: one diff under the lock, unchanged pods keep their views.</summary>
    private void ReplacePodViews(Dictionary<string, PodView> fresh)
    {
        lock (_gate)
        {
            var touched = new HashSet<string>(StringComparer.Ordinal);
            var changes = new List<ClusterChange>();
            foreach (var key in _pods.Keys.Where(k => !fresh.ContainsKey(k)).ToList())
            {
                RemovePodLocked(key, touched, changes);
            }

            foreach (var (key, view) in fresh)
            {
                UpsertPodLocked(key, view, touched, changes);
            }

            foreach (var name in touched)
            {
                RefreshNodeLocked(name);
            }

            PublishLocked(changes);
        }
    }

    /// <summary>Applies one pod watch event; the watch loop's step, reachable for the benchmarks.</summary>
    internal void ApplyPod(WatchEventType type, V1Pod pod)
    {
        var key = Key(string.IsNullOrEmpty(pod.Metadata?.NamespaceProperty) ? "default" : pod.Metadata.NamespaceProperty, pod.Metadata?.Name ?? "");
        var view = type == WatchEventType.Deleted ? null : TryConvertPod(pod);
        lock (_gate)
        {
            var touched = new HashSet<string>(StringComparer.Ordinal);
            var changes = new List<ClusterChange>(1);
            if (view is null)
            {
                RemovePodLocked(key, touched, changes);
            }
            else
            {
                UpsertPodLocked(key, view, touched, changes);
            }

            foreach (var name in touched)
            {
                RefreshNodeLocked(name);
            }

            PublishLocked(changes);
        }
    }

    /// <summary>The pod as the cache keeps it; null for terminal pods (they hold no resources) and unreadable ones.</summary>
    private PodView? TryConvertPod(V1Pod pod)
    {
        if (pod.Status?.Phase is "Succeeded" or "Failed")
        {
            return null;
        }

        try
        {
            var created = pod.Metadata?.CreationTimestamp is { } timestamp ? DateTime.SpecifyKind(timestamp, DateTimeKind.Utc).Ticks : 0;
            return PodConversions.ToPodView(pod, created);
        }
        catch (FormatException e)
        {
            _logger.ObjectSkipped("pod", $"{pod.Metadata?.NamespaceProperty}/{pod.Metadata?.Name}", e.Message);
            return null;
        }
    }

    private void UpsertPodLocked(string key, PodView view, HashSet<string> touched, List<ClusterChange> changes)
    {
        if (_pods.TryGetValue(key, out var current))
        {
            if (ValueEquality.AreEqual(current, view))
            {
                return;
            }

            if (current.NodeName == view.NodeName && ValueEquality.AreEqual(current.Request, view.Request))
            {
                // Only the lifecycle changed (phase, conditions, nomination, deletion): the node's view keeps its pods.
                view = view with { Request = current.Request };
                _pods[key] = view;
                if (view.NodeName is null)
                {
                    _pending[key] = view;
                    Interlocked.Increment(ref _pendingVersion);
                }

                changes.Add(ClusterChange.ForPod(current, view));
                return;
            }

            DetachLocked(key, current, touched);
        }

        _pods[key] = view;
        if (view.NodeName is null)
        {
            _pending[key] = view;
            Interlocked.Increment(ref _pendingVersion);
        }
        else
        {
            if (!_podsByNode.TryGetValue(view.NodeName, out var bound))
            {
                bound = new SortedList<string, PodRequest>(StringComparer.Ordinal);
                _podsByNode[view.NodeName] = bound;
            }

            bound[key] = view.Request;
            touched.Add(view.NodeName);
        }

        changes.Add(ClusterChange.ForPod(current, view));
    }

    private void RemovePodLocked(string key, HashSet<string> touched, List<ClusterChange> changes)
    {
        if (_pods.TryRemove(key, out var current))
        {
            DetachLocked(key, current, touched);
            changes.Add(ClusterChange.ForPod(current, null));
        }
    }

    private void DetachLocked(string key, PodView pod, HashSet<string> touched)
    {
        if (pod.NodeName is null)
        {
            _pending.TryRemove(key, out _);
            Interlocked.Increment(ref _pendingVersion);
        }
        else if (_podsByNode.TryGetValue(pod.NodeName, out var bound))
        {
            bound.Remove(key);
            if (bound.Count == 0)
            {
                _podsByNode.Remove(pod.NodeName);
            }

            touched.Add(pod.NodeName);
        }
    }

    /// <summary>A re-list of one kind applied to its collection: one diff under the lock.</summary>
    private Action<IList<TCrd>> Replacer<TCrd, TView>(ResourceCollection<TView> collection, Func<TCrd, TView?> convert)
        where TView : class =>
        items =>
        {
            var fresh = items.Select(convert).OfType<TView>().ToList();
            lock (_gate)
            {
                collection.ReplaceLocked(fresh);
            }
        };

    /// <summary>A watch event of one kind applied to its collection; an object that cannot be read counts as gone.</summary>
    private Action<WatchEventType, TCrd> Applier<TCrd, TView>(ResourceCollection<TView> collection, Func<TCrd, TView?> convert, Func<TCrd, string> keyOf)
        where TView : class =>
        (type, item) =>
        {
            var view = type == WatchEventType.Deleted ? null : convert(item);
            lock (_gate)
            {
                if (view is null)
                {
                    collection.RemoveLocked(keyOf(item));
                }
                else
                {
                    collection.UpsertLocked(view);
                }
            }
        };

    private T? TryConvert<T>(string resource, string name, Func<T> convert)
        where T : class
    {
        try
        {
            return convert();
        }
        catch (FormatException e)
        {
            _logger.ObjectSkipped(resource, name, e.Message);
            return null;
        }
    }

    private PodRequest? TryConvertDaemonSet(V1DaemonSet daemonSet) =>
        TryConvert("daemonset", NamespacedKey(daemonSet), () => PodConversions.ToDaemonSetPod(daemonSet));

    private DisruptionBudget? TryConvertDisruptionBudget(V1PodDisruptionBudget budget) =>
        TryConvert("poddisruptionbudget", NamespacedKey(budget), () => DisruptionBudgetConversions.ToDisruptionBudget(budget));

    private static NamespaceEntry ToNamespaceEntry(V1Namespace ns) => new(
        ns.Metadata?.Name ?? "",
        ns.Metadata?.Labels is { Count: > 0 } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : new Dictionary<string, string>());

    private static string NamespacedKey(IKubernetesObject<V1ObjectMeta> item) =>
        Key(string.IsNullOrEmpty(item.Metadata?.NamespaceProperty) ? "default" : item.Metadata.NamespaceProperty, item.Metadata?.Name ?? "");

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

    private static string Key(string podNamespace, string podName) => podNamespace + "/" + podName;

    /// <summary>A namespace as the cache keeps it: its labels.</summary>
    private sealed record NamespaceEntry(string Name, IReadOnlyDictionary<string, string> Labels);

    private sealed record NamespaceMap(IReadOnlyList<NamespaceEntry> Source, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Labels);

    private sealed record WatchOutcome(string Version, int Events, bool Gone, Exception? Error);

    /// <summary>A list read in full: how many objects it had, the version to watch from, and how to apply it to the cache.</summary>
    private sealed record Listing(int Count, string Version, Action Apply);

    /// <summary>What a loop does while its CRD is not installed: apply an empty list, and report it (once per absence).</summary>
    private sealed record MissingCrd(Action ApplyEmpty, Action<TimeSpan> Report);

    private sealed record ListCache<T>(long Version, IReadOnlyList<T> Items);
}
