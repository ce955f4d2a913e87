using System.Buffers;
using Capstan.Core.Placement;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Capstan.Extender.Wire;
using Capstan.Kubernetes.Conversions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capstan.Extender;

/// <summary>
/// The three verbs. Filter and prioritize answer from memory only (the cluster cache and the ledger);
/// bind calls the cluster writer and answers only after the Binding call returned.
/// </summary>
public sealed class ExtenderService(
    IClusterState cluster,
    IClusterWriter writer,
    IPlacementLedger ledger,
    RecentPods recentPods,
    IProvisioningTrigger trigger,
    ILogger<ExtenderService> logger,
    ExtenderMetrics? metrics = null,
    IOptions<ExtenderOptions>? options = null,
    TimeProvider? time = null)
{
    private readonly TimeSpan _bindTimeout = options?.Value.BindTimeout ?? ExtenderOptions.DefaultBindTimeout;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private static readonly ResourceList s_unknownPodRequests = ResourceList.Create((ResourceNames.Pods, Quantity.FromUnits(1)));

    /// <summary>Why the arguments cannot be served, or null when they are well formed.</summary>
    public static string? Validate(ExtenderArgs? args)
    {
        if (args is null)
        {
            return "the body is not an ExtenderArgs object";
        }

        return ValidateShape(hasPod: args.Pod is not null, hasNodes: args.Nodes is not null, hasNodeNames: args.NodeNames is not null, hasItems: args.Nodes?.Items is not null);
    }

    /// <summary>The envelope rules of <see cref="Validate(ExtenderArgs?)"/>, shared with the streaming reader.</summary>
    internal static string? ValidateShape(bool hasPod, bool hasNodes, bool hasNodeNames, bool hasItems) => (hasPod, hasNodes, hasNodeNames) switch
    {
        (false, _, _) => "ExtenderArgs.Pod is missing",
        (_, false, false) => "exactly one of ExtenderArgs.Nodes and ExtenderArgs.NodeNames must be set; both are null",
        (_, true, true) => "exactly one of ExtenderArgs.Nodes and ExtenderArgs.NodeNames must be set; both are present",
        (_, true, _) when !hasItems => "ExtenderArgs.Nodes.items is missing",
        _ => null,
    };

    /// <summary>Why the binding arguments cannot be served, or null when they are well formed.</summary>
    public static string? Validate(ExtenderBindingArgs? args) => args switch
    {
        null => "the body is not an ExtenderBindingArgs object",
        { PodName: null or "" } => "ExtenderBindingArgs.PodName is missing",
        { PodNamespace: null or "" } => "ExtenderBindingArgs.PodNamespace is missing",
        { Node: null or "" } => "ExtenderBindingArgs.Node is missing",
        _ => null,
    };

    /// <summary>Converts the request's pod; throws <see cref="FormatException"/> on a malformed quantity.</summary>
    public static PodRequest PodOf(ExtenderArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return PodConversions.ToPodRequest(args.Pod ?? throw new ArgumentException("ExtenderArgs.Pod is missing", nameof(args)));
    }

    /// <summary>Where decisions are counted; null when the host publishes no metrics (benchmarks, unit tests).</summary>
    internal ExtenderMetrics? Metrics => metrics;

    /// <summary>The node names seen in requests, with what was derived from each; the wire reader resolves names here.</summary>
    internal KnownNodes Nodes { get; } = new();

    public ExtenderFilterResult Filter(ExtenderArgs args, PodRequest pod)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(pod);
        var items = args.Nodes?.Items;
        var names = args.NodeNames;
        var candidates = Candidates(args, out var states);
        var verdicts = new NodeVerdict[candidates.Length];
        if (!TryFilter(candidates, states, pod, verdicts, out var keptCount))
        {
            return ExtenderFilterResult.Failed(NodeVerdicts.NotSynced);
        }

        Dictionary<string, string>? failed = null;
        Dictionary<string, string>? unresolvable = null;
        var kept = new List<int>(keptCount);
        for (var i = 0; i < verdicts.Length; i++)
        {
            var (reason, resolvable) = verdicts[i];
            if (reason is null)
            {
                kept.Add(i);
            }
            else if (resolvable)
            {
                (failed ??= new Dictionary<string, string>(StringComparer.Ordinal))[candidates[i]!.Name] = reason;
            }
            else
            {
                (unresolvable ??= new Dictionary<string, string>(StringComparer.Ordinal))[candidates[i]!.Name] = reason;
            }
        }

        var all = keptCount == candidates.Length;
        var result = new ExtenderFilterResult();
        if (failed is not null)
        {
            result = result with { FailedNodes = failed };
        }

        if (unresolvable is not null)
        {
            result = result with { FailedAndUnresolvableNodes = unresolvable };
        }

        if (items is null)
        {
            return result with { NodeNames = all ? names : Select(names!, kept) };
        }

        return result with { Nodes = all ? args.Nodes : args.Nodes! with { Items = Select(items, kept) } };
    }

    /// <summary>
    /// Scores 0..10 per node, deterministic for equal inputs: 60 % how full the node is after placing the
    /// pod (most-allocated over cpu and memory), 40 % how cheap the pod's share of the node's price is
    /// among the candidates; a node Capstan is about to disrupt keeps a fifth of that. Nodes unknown to the
    /// cache, or without room for the pod in the ledger, score 0.
    /// </summary>
    public HostPriorityList Prioritize(ExtenderArgs args, PodRequest pod)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(pod);
        var candidates = Candidates(args, out _);
        var scores = new long[candidates.Length];
        Score(candidates, pod, scores);
        var result = new HostPriorityList(candidates.Length);
        for (var i = 0; i < candidates.Length; i++)
        {
            if (candidates[i] is { } node)
            {
                result.Add(new HostPriority(node.Name, scores[i]));
            }
        }

        return result;
    }

    /// <summary>
    /// Judges every candidate into <paramref name="verdicts"/> (a null reason keeps the node; a null
    /// candidate, a node without a name, is kept). <paramref name="states"/> holds what each candidate's node
    /// object says (<c>nodeCacheCapable: false</c>), or is empty for names. False, with nothing judged, when the
    /// cache is not synced.
    /// </summary>
    internal bool TryFilter(ReadOnlySpan<KnownNode?> candidates, ReadOnlySpan<NodeObjectState> states, PodRequest pod, Span<NodeVerdict> verdicts, out int kept)
    {
        recentPods.Remember(pod);
        kept = 0;
        if (!cluster.IsSynced)
        {
            logger.CacheNotSynced(pod.Key);
            return false;
        }

        var demand = PodDemand.Of(pod.Requests);
        var unresolvable = 0;
        for (var i = 0; i < candidates.Length; i++)
        {
            var state = i < states.Length ? states[i] : NodeObjectState.None;
            var verdict = candidates[i] is { } node ? Judge(node, state, demand) : default;
            verdicts[i] = verdict;
            if (verdict.Reason is null)
            {
                kept++;
            }
            else if (!verdict.Resolvable)
            {
                unresolvable++;
            }
        }

        metrics?.FilterDecided(kept, candidates.Length - kept - unresolvable, unresolvable);

        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.FilterDecided(pod.Key, kept, candidates.Length);
        }

        if (kept == 0 && candidates.Length > 0)
        {
            logger.AllNodesRejected(pod.Key, candidates.Length);
            trigger.Trigger(pod);
            metrics?.FastPathTriggered();
        }

        return true;
    }

    /// <summary>The score of every candidate (see <see cref="Prioritize"/>); entries of null candidates are meaningless.</summary>
    internal void Score(ReadOnlySpan<KnownNode?> candidates, PodRequest pod, Span<long> scores)
    {
        var demand = PodDemand.Of(pod.Requests);
        var synced = cluster.IsSynced;
        var packing = ArrayPool<double>.Shared.Rent(candidates.Length);
        var cost = ArrayPool<double>.Shared.Rent(candidates.Length);
        var disrupted = ArrayPool<bool>.Shared.Rent(candidates.Length);
        try
        {
            double minCost = double.MaxValue, maxCost = double.MinValue;
            for (var i = 0; i < candidates.Length; i++)
            {
                packing[i] = -1;
                cost[i] = double.NaN;
                disrupted[i] = false;
                if (!synced || candidates[i] is not { } candidate || candidate.ViewOf(cluster) is not { } view)
                {
                    continue;
                }

                var facts = candidate.FactsOf(view, ledger);
                var entries = candidate.LedgerEntries(ledger);
                if (facts.FirstShortfall(ledger, demand, entries) is not null)
                {
                    continue;
                }

                disrupted[i] = facts.Disrupted;
                var cpu = Share(facts, entries, DemandSlot.Cpu, ResourceNames.Cpu, facts.AllocatableCpu, demand.CpuMilli, out var cpuShare);
                var memory = Share(facts, entries, DemandSlot.Memory, ResourceNames.Memory, facts.AllocatableMemory, demand.MemoryMilli, out var memoryShare);
                packing[i] = (cpu, memory) switch
                {
                    (>= 0, >= 0) => (cpu + memory) / 2,
                    (>= 0, _) => cpu,
                    (_, >= 0) => memory,
                    _ => 0,
                };
                if (view.PricePerHour is { } price && price >= 0)
                {
                    cost[i] = price * Math.Max(cpuShare, memoryShare);
                    minCost = Math.Min(minCost, cost[i]);
                    maxCost = Math.Max(maxCost, cost[i]);
                }
            }

            for (var i = 0; i < candidates.Length; i++)
            {
                scores[i] = ScoreOf(packing[i], cost[i], disrupted[i], minCost, maxCost);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(packing);
            ArrayPool<double>.Shared.Return(cost);
            ArrayPool<bool>.Shared.Return(disrupted);
        }
    }

    public async Task<ExtenderBindingResult> BindAsync(ExtenderBindingArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var podNamespace = args.PodNamespace!;
        var podName = args.PodName!;
        var nodeName = args.Node!;
        var uid = args.PodUid ?? "";
        var podKey = podNamespace + "/" + podName;

        var current = cluster.NodeOf(podNamespace, podName) ?? ledger.BoundNodeOf(podNamespace, podName);
        if (current == nodeName)
        {
            logger.BindRepeated(podKey, nodeName);
            metrics?.BindFinished(BindResults.Repeated);
            return ExtenderBindingResult.Ok;
        }

        if (current is not null)
        {
            return Refuse(podKey, nodeName, $"pod {podKey} is already bound to node {current}");
        }

        var requests = (recentPods.Find(podNamespace, podName, uid) ?? cluster.FindPod(podNamespace, podName))?.Requests ?? s_unknownPodRequests;
        var reservation = ledger.TryReserve(cluster, nodeName, podNamespace, podName, uid, requests);
        if (reservation.Outcome == ReservationOutcome.NoRoom)
        {
            return Refuse(podKey, nodeName, $"node {nodeName} has no room left for pod {podKey}: insufficient {reservation.Resource} after Capstan's placements");
        }

        var owned = reservation.Outcome == ReservationOutcome.Reserved;

        // kube-scheduler gives up on the call after its httpTimeout (5 s in our configuration): answer before it does,
        // so a slow API server costs one retried binding cycle, not a reservation held by a call nobody awaits.
        using var budget = new CancellationTokenSource(_bindTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            await writer.BindAsync(podNamespace, podName, uid, nodeName, linked.Token);
        }
        catch (BindingConflictException conflict)
        {
            Release(owned, nodeName, podNamespace, podName);
            return Refuse(podKey, nodeName, conflict.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Release(owned, nodeName, podNamespace, podName);
            throw;
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            Release(owned, nodeName, podNamespace, podName);
            metrics?.BindFinished(BindResults.Failed);
            return ExtenderBindingResult.Failed(
                $"binding pod {podKey} to node {nodeName} did not complete within {_bindTimeout.TotalSeconds:0.#} s (the API server is slow or failing); the scheduler will try again");
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Release(owned, nodeName, podNamespace, podName);
            logger.BindFailed(exception, podKey, nodeName);
            metrics?.BindFinished(BindResults.Failed);
            return ExtenderBindingResult.Failed($"binding pod {podKey} to node {nodeName} failed: {exception.Message}");
        }

        ledger.Commit(nodeName, podNamespace, podName, uid, requests);
        logger.PodBound(podKey, nodeName);
        metrics?.BindFinished(BindResults.Bound);
        return ExtenderBindingResult.Ok;
    }

    private NodeVerdict Judge(KnownNode candidate, NodeObjectState state, PodDemand demand)
    {
        var facts = candidate.ViewOf(cluster) is { } view ? candidate.FactsOf(view, ledger) : null;
        if (facts?.Unresolvable is { } reason)
        {
            return new NodeVerdict(reason, Resolvable: false);
        }

        // The scheduler's own copy of the node object may be newer than the cache's (or the cache has not seen the
        // node at all): what it says about deletion and disruption counts as much as the cache.
        if (NodeVerdicts.OfNodeObject(state) is { } stated)
        {
            return new NodeVerdict(stated, Resolvable: false);
        }

        if (facts is null)
        {
            // Unknown to Capstan's cache (not Capstan's, or the watch lags): the scheduler's own checks stand.
            return default;
        }

        return facts.FirstShortfall(ledger, demand, candidate.LedgerEntries(ledger)) is { } resource
            ? new NodeVerdict(NodeVerdicts.Insufficient(resource), Resolvable: true)
            : default;
    }

    private static long ScoreOf(double packing, double cost, bool disrupted, double minCost, double maxCost)
    {
        if (packing < 0)
        {
            return HostPriorityList.MinScore;
        }

        var cheapness = double.IsNaN(cost) ? 0.5 : maxCost > minCost ? (maxCost - cost) / (maxCost - minCost) : 1.0;
        var score = HostPriorityList.MaxScore * ((0.6 * packing) + (0.4 * cheapness));
        if (disrupted)
        {
            score *= 0.2;
        }

        var rounded = (long)Math.Round(score, MidpointRounding.AwayFromZero);
        return Math.Clamp(rounded, HostPriorityList.MinScore, HostPriorityList.MaxScore);
    }

    /// <summary>Fraction of the resource in use after placing the pod (or -1 when the node has none), and the pod's share of it.</summary>
    private double Share(NodeFacts facts, LedgerEntry[] entries, DemandSlot slot, string resource, long allocatable, long podMilli, out double podShare)
    {
        if (allocatable <= 0)
        {
            podShare = 0;
            return -1;
        }

        var used = allocatable - facts.RemainingMilli(ledger, slot, resource, entries) + podMilli;
        podShare = (double)podMilli / allocatable;
        return Math.Clamp((double)used / allocatable, 0, 1);
    }

    private KnownNode?[] Candidates(ExtenderArgs args, out NodeObjectState[] states)
    {
        var items = args.Nodes?.Items;
        var names = args.NodeNames;
        var candidates = new KnownNode?[items?.Count ?? names!.Count];
        states = items is null ? [] : new NodeObjectState[candidates.Length];
        for (var i = 0; i < candidates.Length; i++)
        {
            var name = items is null ? names![i] : NodeObjectReader.Read(NodeList.RawUtf8Of(items[i]), out states[i]);
            candidates[i] = name is null ? null : Nodes.Get(name);
        }

        return candidates;
    }

    private ExtenderBindingResult Refuse(string podKey, string nodeName, string reason)
    {
        logger.BindRefused(podKey, nodeName, reason);
        metrics?.BindFinished(BindResults.Refused);
        return ExtenderBindingResult.Failed(reason);
    }

    private void Release(bool owned, string nodeName, string podNamespace, string podName)
    {
        if (owned)
        {
            ledger.Release(nodeName, podNamespace, podName);
        }
    }

    private static List<T> Select<T>(IReadOnlyList<T> source, List<int> indexes)
    {
        var selected = new List<T>(indexes.Count);
        foreach (var index in indexes)
        {
            selected.Add(source[index]);
        }

        return selected;
    }
}
