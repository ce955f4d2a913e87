using System.Globalization;
using Capstan.Controllers.Provisioning;
using Capstan.Core.Cluster;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.Disruption;

/// <summary>
/// Voluntary disruption of the nodes Capstan launched, one pass every <see cref="DisruptionOptions.PollInterval"/>:
/// <b>emptiness</b> (<c>ttlSecondsAfterEmpty</c>), <b>expiry</b> (<c>ttlSecondsUntilExpired</c>, replacing capacity
/// first) and <b>consolidation</b> (<c>consolidation.enabled</c>: delete nodes whose pods fit elsewhere, or replace
/// nodes with one cheaper node), within <see cref="DisruptionOptions.MaxConcurrent"/> nodes at a time and never while
/// pods are waiting for capacity. Deleting a node hands it to the termination finalizer, which drains it.
/// </summary>
public sealed class DisruptionController(
    IClusterState cluster,
    IClusterWriter writer,
    InstanceTypeSource instanceTypes,
    ProvisioningController provisioning,
    DisruptionOptions options,
    DisruptionMetrics metrics,
    TimeProvider time,
    ILogger<DisruptionController> logger) : IController
{
    private readonly EventRecorder _events = new(writer, logger);

    private const string Empty = "empty";
    private const string Expired = "expired";
    private const string Consolidation = "consolidation";

    private ConsolidationDecision? _decision;

    public string Name => "disruption";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ClusterSync.WaitAsync(cluster, time, cancellationToken).ConfigureAwait(false);

            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await PassAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
                {
                    logger.DisruptionPassFailed(e);
                }

                await Task.Delay(options.PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass (public for tests, which drive passes with a fake clock).</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var provisioners = cluster.Provisioners().ToDictionary(p => p.Name, StringComparer.Ordinal);
        if (!HasWork(provisioners.Values))
        {
            return;
        }

        var capacity = await instanceTypes.ResolveAsync([.. provisioners.Values], cluster.NodeTemplates(), cancellationToken).ConfigureAwait(false);
        var simulator = new DisruptionSimulator(cluster, capacity, now);
        var nodes = cluster.Nodes().Where(n => n.ProvisionerName is { } p && provisioners.ContainsKey(p) && !n.InFlight).ToList();
        // Pods waiting for capacity come first: nothing is taken away while the provisioning loop works for them.
        var provisioningBusy = cluster.PendingPodViews().Any(Provisionable.Is);
        var launching = cluster.Nodes().Any(n => n.InFlight && !n.MarkedForDeletion);
        var budget = options.MaxConcurrent - cluster.Nodes().Count(IsBeingDisrupted);

        foreach (var node in nodes.Where(n => !n.MarkedForDeletion))
        {
            budget -= await EmptinessAsync(node, provisioners[node.ProvisionerName!], simulator, now, budget > 0 && !provisioningBusy, cancellationToken).ConfigureAwait(false);
        }

        foreach (var node in nodes.Where(n => !n.MarkedForDeletion && IsExpired(n, provisioners[n.ProvisionerName!], now)))
        {
            budget -= await ExpireAsync(node, simulator, budget > 0, cancellationToken).ConfigureAwait(false);
        }

        if (provisioningBusy)
        {
            if (_decision is { Executing: false } waiting)
            {
                await AbandonAsync(waiting, "pods are waiting for capacity", cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        await ConsolidateAsync(nodes, provisioners, simulator, launching ? 0 : budget, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// False when no provisioner asks for any disruption, no decision is under way and no emptiness stamp is left to
    /// clear: then a pass has nothing to do and the instance types and the simulation are not worth building.
    /// </summary>
    private bool HasWork(IEnumerable<Provisioner> provisioners) =>
        _decision is not null
        || provisioners.Any(p => p.TtlSecondsAfterEmpty is not null || p.TtlSecondsUntilExpired is not null || p.ConsolidationEnabled)
        || cluster.Nodes().Any(n => n.ProvisionerName is not null && n.Annotations.ContainsKey(Labels.EmptinessTimestamp));

    private static bool IsBeingDisrupted(NodeView node) =>
        node.ProvisionerName is not null
        && ((node.MarkedForDeletion && node.Annotations.TryGetValue(Labels.TerminationReason, out var reason) && reason is Empty or Expired or Consolidation)
            || (!node.MarkedForDeletion && node.Annotations.TryGetValue(Labels.DisruptionAnnotation, out var why) && why is Expired or Consolidation));

    private static bool IsExpired(NodeView node, Provisioner provisioner, DateTimeOffset now) =>
        provisioner.TtlSecondsUntilExpired is { } ttl && node.CreatedAt is { } created && now - created >= TimeSpan.FromSeconds(ttl);

    /// <summary>Keeps the emptiness timestamp in step with the node's pods and deletes it once empty for the TTL; 1 when it started a deletion.</summary>
    private async Task<int> EmptinessAsync(NodeView node, Provisioner provisioner, DisruptionSimulator simulator, DateTimeOffset now, bool mayDelete, CancellationToken cancellationToken)
    {
        var stamped = node.Annotations.TryGetValue(Labels.EmptinessTimestamp, out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
                ? since
                : (DateTimeOffset?)null;
        var empty = simulator.MovablePods(node).Count == 0;
        if (provisioner.TtlSecondsAfterEmpty is not { } ttl || !empty)
        {
            if (stamped is not null || text is not null)
            {
                await writer.SetNodeAnnotationsAsync(node.Name, new Dictionary<string, string?> { [Labels.EmptinessTimestamp] = null }, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }

        if (stamped is not { } emptySince)
        {
            await writer.SetNodeAnnotationsAsync(node.Name,
                new Dictionary<string, string?> { [Labels.EmptinessTimestamp] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) },
                cancellationToken).ConfigureAwait(false);
            logger.NodeEmpty(node.Name);
            return 0;
        }

        var after = TimeSpan.FromSeconds(ttl);
        if (!mayDelete || now - emptySince < after)
        {
            return 0;
        }

        logger.TriggeringEmptyTermination((long)after.TotalSeconds, node.Name);
        await _events.NodeAsync(node.Name, "EmptinessTtlExpired", ClusterEventType.Normal, $"The node has been empty for {after.TotalSeconds:0}s (ttlSecondsAfterEmpty); deleting it", cancellationToken).ConfigureAwait(false);
        await DeleteAsync(node, Empty, cancellationToken).ConfigureAwait(false);
        metrics.Action("empty", "started");
        return 1;
    }

    /// <summary>
    /// An expired node is first marked (cordoned, kept free of new pods) and, when its pods would not fit elsewhere,
    /// its pods are handed to the provisioning loop; it is deleted once they fit on the other nodes (the replacement
    /// counts while in flight). Returns 1 when it took a place in the budget.
    /// </summary>
    private async Task<int> ExpireAsync(NodeView node, DisruptionSimulator simulator, bool mayStart, CancellationToken cancellationToken)
    {
        var marked = node.Annotations.TryGetValue(Labels.DisruptionAnnotation, out var why) && why == Expired;
        var result = simulator.Simulate([node]);
        if (marked)
        {
            if (result.FitsElsewhere)
            {
                logger.ExpiredNodeDeleted(node.Name);
                await DeleteAsync(node, Expired, cancellationToken).ConfigureAwait(false);
                metrics.Action("expire", "succeeded");
            }

            return 0;
        }

        if (!mayStart)
        {
            return 0;
        }

        await writer.SetNodeAnnotationsAsync(node.Name, new Dictionary<string, string?> { [Labels.DisruptionAnnotation] = Expired }, cancellationToken).ConfigureAwait(false);
        await writer.CordonAsync(node.Name, cancellationToken).ConfigureAwait(false);
        metrics.Action("expire", "started");
        if (result.FitsElsewhere)
        {
            logger.ExpiredNodeDeleted(node.Name);
            await DeleteAsync(node, Expired, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            logger.ExpiredNodeReplacing(node.Name, result.Moved.Count);
            provisioning.Displace(result.Moved);
        }

        await _events.NodeAsync(node.Name, "Expired", ClusterEventType.Normal, "The node reached ttlSecondsUntilExpired; it is replaced and drained", cancellationToken).ConfigureAwait(false);
        return 1;
    }

    private async Task ConsolidateAsync(List<NodeView> nodes, Dictionary<string, Provisioner> provisioners, DisruptionSimulator simulator, int budget,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_decision is { } decision)
        {
            await FollowUpAsync(decision, nodes, simulator, now, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (budget <= 0)
        {
            return;
        }

        var candidates = nodes
            .Where(n => !n.MarkedForDeletion && provisioners[n.ProvisionerName!].ConsolidationEnabled && IsConsolidatable(n, simulator))
            .OrderBy(n => simulator.MovablePods(n).Count)
            .ThenByDescending(n => n.PricePerHour ?? 0)
            .ThenBy(n => n.Name, StringComparer.Ordinal)
            .ToList();
        if (FindAction(candidates, simulator, Math.Min(budget, options.MaxConsolidationBatch)) is not { } action)
        {
            return;
        }

        // Marked first: the extender keeps new pods off them while the decision waits to be confirmed.
        foreach (var node in action.Nodes)
        {
            await writer.SetNodeAnnotationsAsync(node.Name, new Dictionary<string, string?> { [Labels.DisruptionAnnotation] = Consolidation }, cancellationToken).ConfigureAwait(false);
        }

        _decision = action with { DecidedAt = now };
        metrics.Action(action.Kind, "started");
        var proposed = Describe(action);
        logger.ConsolidationProposed(proposed, options.ConsolidationValidationDelay);
    }

    /// <summary>The first of: the most nodes (a prefix of the candidates) that can go at once, then any single node.</summary>
    private static ConsolidationDecision? FindAction(List<NodeView> candidates, DisruptionSimulator simulator, int most)
    {
        for (var count = Math.Min(most, candidates.Count); count >= 2; count--)
        {
            if (Judge(candidates.Take(count).ToList(), simulator) is { } several)
            {
                return several;
            }
        }

        foreach (var candidate in candidates)
        {
            if (Judge([candidate], simulator) is { } one)
            {
                return one;
            }
        }

        return null;
    }

    /// <summary>A delete when the pods fit elsewhere; a replace when one cheaper node takes them (never for spot nodes); else nothing.</summary>
    private static ConsolidationDecision? Judge(IReadOnlyList<NodeView> nodes, DisruptionSimulator simulator)
    {
        var result = simulator.Simulate([.. nodes]);
        var before = nodes.Sum(n => n.PricePerHour ?? 0);
        if (result.FitsElsewhere)
        {
            return new ConsolidationDecision("delete", nodes, before, 0, null);
        }

        var spot = nodes.Any(n => n.Labels.TryGetValue(Labels.CapacityType, out var type) && type == Labels.CapacityTypeSpot);
        if (result.Unschedulable.Count > 0 || result.NewClaims.Count != 1 || spot || result.NewPricePerHour >= before)
        {
            return null;
        }

        return new ConsolidationDecision("replace", nodes, before, result.NewPricePerHour, result.NewClaims[0].Cheapest.InstanceType.Name);
    }

    /// <summary>
    /// A node consolidation may take: initialized, not protected by <c>karpenter.sh/do-not-consolidate</c>, not being
    /// disrupted already, and every pod it would move has a controller, no <c>karpenter.sh/do-not-evict</c>, and is not
    /// held by a disruption budget that allows no disruption now.
    /// </summary>
    private bool IsConsolidatable(NodeView node, DisruptionSimulator simulator)
    {
        if (node.InFlight || node.DisruptionCandidate || node.Unschedulable
            || (node.Annotations.TryGetValue(Labels.DoNotConsolidate, out var flag) && flag == "true"))
        {
            return false;
        }

        var budgets = cluster.DisruptionBudgets();
        foreach (var pod in simulator.MovablePods(node))
        {
            if (pod.DoNotEvict || cluster.FindPodView(pod.Namespace, pod.Name)?.OwnerKind is null
                || budgets.Any(b => b.DisruptionsAllowed <= 0 && b.Guards(pod.Namespace, pod.Labels)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>After the validation delay the decision is simulated again and carried out, or dropped.</summary>
    private async Task FollowUpAsync(ConsolidationDecision decision, List<NodeView> nodes, DisruptionSimulator simulator, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var current = decision.Nodes.Select(n => nodes.FirstOrDefault(c => c.Name == n.Name)).ToList();
        if (current.Any(n => n is null || n.MarkedForDeletion))
        {
            _decision = null;
            if (!decision.Executing)
            {
                metrics.Action(decision.Kind, "abandoned");
            }

            return;
        }

        var live = current.Select(n => n!).ToList();
        if (decision.Executing)
        {
            // A replace: the pods were handed to the provisioning loop; the old nodes go once they fit elsewhere.
            if (simulator.Simulate(live).FitsElsewhere)
            {
                await DeleteAllAsync(decision, live, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (now - decision.DecidedAt < options.ConsolidationValidationDelay)
        {
            return;
        }

        if (Judge(live, simulator) is not { } again || again.Kind != decision.Kind || live.Any(n => !IsStillConsolidatable(n, simulator)))
        {
            await AbandonAsync(decision, "the cluster changed while the decision waited", cancellationToken).ConfigureAwait(false);
            return;
        }

        var described = Describe(again);
        logger.Consolidating(described);
        if (again.Kind == "delete")
        {
            await DeleteAllAsync(again, live, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var node in live)
        {
            await writer.CordonAsync(node.Name, cancellationToken).ConfigureAwait(false);
        }

        provisioning.Displace(live.SelectMany(simulator.MovablePods));
        _decision = again with { DecidedAt = decision.DecidedAt, Executing = true };
    }

    /// <summary>The checks of <see cref="IsConsolidatable"/> for a node this controller itself marked.</summary>
    private bool IsStillConsolidatable(NodeView node, DisruptionSimulator simulator) =>
        IsConsolidatable(node with { Annotations = Without(node.Annotations, Labels.DisruptionAnnotation), DisruptionCandidate = false }, simulator);

    private static Dictionary<string, string> Without(IReadOnlyDictionary<string, string> map, string key)
    {
        var copy = new Dictionary<string, string>(map, StringComparer.Ordinal);
        copy.Remove(key);
        return copy;
    }

    private async Task DeleteAllAsync(ConsolidationDecision decision, List<NodeView> live, CancellationToken cancellationToken)
    {
        foreach (var node in live)
        {
            await _events.NodeAsync(node.Name, "Consolidated", ClusterEventType.Normal, $"Consolidation: {Describe(decision)}", cancellationToken).ConfigureAwait(false);
            await DeleteAsync(node, Consolidation, cancellationToken).ConfigureAwait(false);
        }

        metrics.Saved(decision.Before - decision.After);
        metrics.Action(decision.Kind, "succeeded");
        _decision = null;
    }

    private async Task AbandonAsync(ConsolidationDecision decision, string why, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", decision.Nodes.Select(n => n.Name));
        logger.ConsolidationAbandoned(names, why);
        foreach (var node in decision.Nodes)
        {
            await writer.SetNodeAnnotationsAsync(node.Name, new Dictionary<string, string?> { [Labels.DisruptionAnnotation] = null }, cancellationToken).ConfigureAwait(false);
        }

        metrics.Action(decision.Kind, "abandoned");
        _decision = null;
    }

    private static string Describe(ConsolidationDecision decision) =>
        string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", decision.Nodes.Select(n => n.Name))} ")
        + (decision.Kind == "delete" ? "(delete)" : $"into {decision.Replacement}")
        + string.Create(CultureInfo.InvariantCulture, $": ${decision.Before:0.000}/h -> ${decision.After:0.000}/h");

    private async Task DeleteAsync(NodeView node, string reason, CancellationToken cancellationToken)
    {
        await writer.SetNodeAnnotationsAsync(node.Name, new Dictionary<string, string?> { [Labels.TerminationReason] = reason }, cancellationToken).ConfigureAwait(false);
        await writer.DeleteNodeAsync(node.Name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A consolidation action waiting for its re-validation, or (a replace) for its replacement.</summary>
    private sealed record ConsolidationDecision(string Kind, IReadOnlyList<NodeView> Nodes, double Before, double After, string? Replacement)
    {
        public DateTimeOffset DecidedAt { get; init; }

        public bool Executing { get; init; }
    }
}
