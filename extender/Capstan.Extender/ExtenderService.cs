using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Capstan.Extender.Ledger;
using Capstan.Extender.Wire;
using Capstan.Kubernetes.Conversions;
using Microsoft.Extensions.Logging;

namespace Capstan.Extender;

/// <summary>
/// The three verbs. Filter and prioritize answer from memory only (the cluster cache and the ledger);
/// bind calls the cluster writer and answers only after the Binding call returned.
/// </summary>
public sealed class ExtenderService(
    IClusterState cluster,
    IClusterWriter writer,
    PlacementLedger ledger,
    RecentPods recentPods,
    IProvisioningTrigger trigger,
    ILogger<ExtenderService> logger)
{
    private static readonly ResourceList s_unknownPodRequests = ResourceList.Create((ResourceNames.Pods, Quantity.FromUnits(1)));

    /// <summary>Why the arguments cannot be served, or null when they are well formed.</summary>
    public static string? Validate(ExtenderArgs? args)
    {
        if (args is null)
        {
            return "the body is not an ExtenderArgs object";
        }

        if (args.Pod is null)
        {
            return "ExtenderArgs.Pod is missing";
        }

        return (args.Nodes is null, args.NodeNames is null) switch
        {
            (true, true) => "exactly one of ExtenderArgs.Nodes and ExtenderArgs.NodeNames must be set; both are null",
            (false, false) => "exactly one of ExtenderArgs.Nodes and ExtenderArgs.NodeNames must be set; both are present",
            _ when args.Nodes is { Items: null } => "ExtenderArgs.Nodes.items is missing",
            _ => null,
        };
    }

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

    public ExtenderFilterResult Filter(ExtenderArgs args, PodRequest pod)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(pod);
        recentPods.Remember(pod);
        if (!cluster.IsSynced)
        {
            logger.CacheNotSynced(pod.Key);
            return ExtenderFilterResult.Failed(NodeVerdicts.NotSynced);
        }

        var demand = PodDemand.Of(pod.Requests);
        var items = args.Nodes?.Items;
        var names = args.NodeNames;
        var count = items?.Count ?? names!.Count;
        Dictionary<string, string>? failed = null;
        Dictionary<string, string>? unresolvable = null;
        List<int>? kept = null;

        for (var i = 0; i < count; i++)
        {
            var name = items is null ? names![i] : NodeList.NameOf(items[i]);
            var (reason, resolvable) = name is null ? (null, true) : Judge(name, demand);
            if (reason is null)
            {
                kept?.Add(i);
                continue;
            }

            if (kept is null)
            {
                kept = new List<int>(count);
                for (var k = 0; k < i; k++)
                {
                    kept.Add(k);
                }
            }

            if (resolvable)
            {
                (failed ??= new Dictionary<string, string>(StringComparer.Ordinal))[name!] = reason;
            }
            else
            {
                (unresolvable ??= new Dictionary<string, string>(StringComparer.Ordinal))[name!] = reason;
            }
        }

        var keptCount = kept?.Count ?? count;
        logger.FilterDecided(pod.Key, keptCount, count);
        if (keptCount == 0 && count > 0)
        {
            logger.AllNodesRejected(pod.Key, count);
            trigger.Trigger(pod);
        }

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
            return result with { NodeNames = kept is null ? names : Select(names!, kept) };
        }

        return result with { Nodes = kept is null ? args.Nodes : args.Nodes! with { Items = Select(items, kept) } };
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
        var demand = PodDemand.Of(pod.Requests);
        var items = args.Nodes?.Items;
        var names = args.NodeNames;
        var count = items?.Count ?? names!.Count;
        var hosts = new string?[count];
        var packing = new double[count];
        var cost = new double[count];
        var disrupted = new bool[count];
        double minCost = double.MaxValue, maxCost = double.MinValue;

        for (var i = 0; i < count; i++)
        {
            var name = hosts[i] = items is null ? names![i] : NodeList.NameOf(items[i]);
            packing[i] = -1;
            cost[i] = double.NaN;
            if (name is null || !cluster.IsSynced || cluster.FindNode(name) is not { } node || ledger.FirstShortfall(node, demand) is not null)
            {
                continue;
            }

            disrupted[i] = node.MarkedForDeletion || node.DisruptionCandidate || node.Unschedulable;
            var cpu = Share(node, ResourceNames.Cpu, demand.CpuMilli, out var cpuShare);
            var memory = Share(node, ResourceNames.Memory, demand.MemoryMilli, out var memoryShare);
            packing[i] = (cpu, memory) switch
            {
                (>= 0, >= 0) => (cpu + memory) / 2,
                (>= 0, _) => cpu,
                (_, >= 0) => memory,
                _ => 0,
            };
            if (node.PricePerHour is { } price && price >= 0)
            {
                cost[i] = price * Math.Max(cpuShare, memoryShare);
                minCost = Math.Min(minCost, cost[i]);
                maxCost = Math.Max(maxCost, cost[i]);
            }
        }

        var result = new HostPriorityList(count);
        for (var i = 0; i < count; i++)
        {
            if (hosts[i] is not { } host)
            {
                continue;
            }

            if (packing[i] < 0)
            {
                result.Add(new HostPriority(host, HostPriorityList.MinScore));
                continue;
            }

            var cheapness = double.IsNaN(cost[i]) ? 0.5 : maxCost > minCost ? (maxCost - cost[i]) / (maxCost - minCost) : 1.0;
            var score = HostPriorityList.MaxScore * ((0.6 * packing[i]) + (0.4 * cheapness));
            if (disrupted[i])
            {
                score *= 0.2;
            }

            var rounded = (long)Math.Round(score, MidpointRounding.AwayFromZero);
            result.Add(new HostPriority(host, Math.Clamp(rounded, HostPriorityList.MinScore, HostPriorityList.MaxScore)));
        }

        return result;
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
        try
        {
            await writer.BindAsync(podNamespace, podName, uid, nodeName, cancellationToken);
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
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Release(owned, nodeName, podNamespace, podName);
            logger.BindFailed(exception, podKey, nodeName);
            return ExtenderBindingResult.Failed($"binding pod {podKey} to node {nodeName} failed: {exception.Message}");
        }

        ledger.Commit(nodeName, podNamespace, podName, uid, requests);
        logger.PodBound(podKey, nodeName);
        return ExtenderBindingResult.Ok;
    }

    private (string? Reason, bool Resolvable) Judge(string name, PodDemand demand)
    {
        if (cluster.FindNode(name) is not { } node)
        {
            // Unknown to Capstan's cache (not Capstan's, or the watch lags): the scheduler's own checks stand.
            return (null, true);
        }

        if (node.MarkedForDeletion)
        {
            return (NodeVerdicts.BeingDeleted, false);
        }

        if (node.DisruptionCandidate)
        {
            return (NodeVerdicts.BeingDisrupted, false);
        }

        if (node.Unschedulable && node.ProvisionerName is not null)
        {
            return (NodeVerdicts.CordonedByCapstan, false);
        }

        return ledger.FirstShortfall(node, demand) is { } resource ? (NodeVerdicts.Insufficient(resource), true) : (null, true);
    }

    /// <summary>Fraction of the resource in use after placing the pod (or -1 when the node has none), and the pod's share of it.</summary>
    private double Share(NodeView node, string resource, long podMilli, out double podShare)
    {
        var allocatable = node.Allocatable.Get(resource).MilliValue;
        if (allocatable <= 0)
        {
            podShare = 0;
            return -1;
        }

        var used = allocatable - ledger.RemainingMilli(node, resource) + podMilli;
        podShare = (double)podMilli / allocatable;
        return Math.Clamp((double)used / allocatable, 0, 1);
    }

    private ExtenderBindingResult Refuse(string podKey, string nodeName, string reason)
    {
        logger.BindRefused(podKey, nodeName, reason);
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
