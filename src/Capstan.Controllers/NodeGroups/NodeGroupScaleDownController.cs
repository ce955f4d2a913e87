using System.Globalization;
using Capstan.Controllers.Disruption;
using Capstan.Controllers.Provisioning;
using Capstan.Core.Cluster;
using Capstan.Core.NodeGroups;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.NodeGroups;

/// <summary>
/// Shrinks node groups with Cluster Autoscaler's rules. A group node is unneeded when its requests (the larger of CPU
/// and memory) are below the utilization threshold of its allocatable and every pod on it could move to the other
/// nodes; once unneeded for <see cref="NodeGroupOptions.ScaleDownUnneededTime"/>, and with no scale-up for
/// <see cref="NodeGroupOptions.ScaleDownDelayAfterAdd"/>, it is deleted with the termination finalizer, so that the
/// termination controller cordons and drains it through the Eviction API (budgets honoured) and removes its instance
/// from the group with the desired capacity lowered. Never below a group's minimum; empty nodes go in bulk, other nodes
/// one at a time.
/// </summary>
public sealed class NodeGroupScaleDownController(
    IClusterState cluster,
    IClusterWriter writer,
    NodeGroupRegistry registry,
    NodeGroupMetrics metrics,
    NodeGroupOptions options,
    TimeProvider time,
    ILogger<NodeGroupScaleDownController> logger) : IController
{
    /// <summary>The Node annotation that keeps a node out of every scale-down.</summary>
    public const string ScaleDownDisabledAnnotation = "cluster-autoscaler.kubernetes.io/scale-down-disabled";

    /// <summary>The termination reasons this controller writes (counted by <c>capstan_nodes_terminated_total</c>).</summary>
    public const string EmptyReason = "nodegroup-empty";

    public const string UnderutilizedReason = "nodegroup-underutilized";

    private readonly Dictionary<string, DateTimeOffset> _unneededSince = new(StringComparer.Ordinal);
    private DateTimeOffset? _lastFailure;

    public string Name => "nodegroup-scale-down";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!registry.Enabled || !options.ScaleDownEnabled)
        {
            return;
        }

        try
        {
            await ClusterSync.WaitAsync(cluster, time, cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await ReconcileAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
                {
                    logger.NodeGroupScaleDownPassFailed(e);
                }

                await Task.Delay(options.ScanInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Nodes unneeded now, with the time they were first seen so (for tests and the status page).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Unneeded => _unneededSince;

    /// <summary>One pass: updates which nodes are unneeded and removes those whose time has come. Public for tests on a fake clock.</summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (!cluster.IsSynced || registry.Groups.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        var nodes = cluster.Nodes();
        var simulator = new DisruptionSimulator(cluster, new Dictionary<string, ProvisionerCapacity>(), now);
        var budgets = cluster.DisruptionBudgets();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var due = new List<Candidate>();
        var removing = new Dictionary<string, int>(StringComparer.Ordinal);
        var drainingNonEmpty = false;
        var leaving = new List<NodeView>();
        foreach (var node in nodes)
        {
            if (registry.GroupOf(node) is not { } group)
            {
                continue;
            }

            if (node.MarkedForDeletion)
            {
                leaving.Add(node);
                removing[group.Name] = removing.GetValueOrDefault(group.Name) + 1;
                drainingNonEmpty |= simulator.MovablePods(node).Count > 0;
                continue;
            }

            if (Assess(node, group, simulator, budgets) is not { } candidate)
            {
                continue;
            }

            seen.Add(node.Name);
            if (!_unneededSince.TryGetValue(node.Name, out var since))
            {
                since = now;
                _unneededSince[node.Name] = now;
                logger.NodeGroupNodeUnneeded(node.Name, group.Name, candidate.Why);
            }

            if (now - since >= (group.Template.ScaleDownUnneededTime ?? options.ScaleDownUnneededTime))
            {
                due.Add(candidate);
            }
        }

        foreach (var gone in _unneededSince.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _unneededSince.Remove(gone);
        }

        if (due.Count == 0 || Paused(now))
        {
            return;
        }

        // What each group may still give up: its desired capacity less the nodes already leaving, down to its minimum.
        var groups = registry.Current().ToDictionary(g => g.Name, StringComparer.Ordinal);
        var allowance = groups.Values.ToDictionary(g => g.Name, g => g.DesiredCapacity - removing.GetValueOrDefault(g.Name) - g.MinSize, StringComparer.Ordinal);
        var emptyLeft = options.MaxEmptyBulkDelete;
        foreach (var candidate in due.Where(c => c.Empty).OrderBy(c => c.Node.Name, StringComparer.Ordinal))
        {
            if (emptyLeft > 0 && Take(allowance, candidate))
            {
                emptyLeft--;
                leaving.Add(candidate.Node);
                await RemoveAsync(candidate, groups, removing, cancellationToken).ConfigureAwait(false);
            }
        }

        if (drainingNonEmpty)
        {
            return;
        }

        // One node with pods at a time: the least used whose pods still fit once every node on its way out is gone.
        foreach (var candidate in due.Where(c => !c.Empty).OrderBy(c => c.Utilization).ThenBy(c => c.Node.Name, StringComparer.Ordinal))
        {
            if (simulator.Simulate([candidate.Node, .. leaving]).FitsElsewhere && Take(allowance, candidate))
            {
                await RemoveAsync(candidate, groups, removing, cancellationToken).ConfigureAwait(false);
                break;
            }
        }
    }

    private bool Paused(DateTimeOffset now) =>
        (registry.LastScaleUp is { } up && now - up < options.ScaleDownDelayAfterAdd)
        || (registry.LastScaleDown is { } down && now - down < options.ScaleDownDelayAfterDelete)
        || (_lastFailure is { } failed && now - failed < options.ScaleDownDelayAfterFailure);

    private static bool Take(Dictionary<string, int> allowance, Candidate candidate)
    {
        if (allowance.GetValueOrDefault(candidate.Group.Name) <= 0)
        {
            return false;
        }

        allowance[candidate.Group.Name]--;
        return true;
    }

    /// <summary>The node as a removal candidate, or null when it is needed or may not be removed.</summary>
    private Candidate? Assess(NodeView node, NodeGroup group, DisruptionSimulator simulator, IReadOnlyList<DisruptionBudget> budgets)
    {
        if (!node.Ready || node.Unschedulable
            || (node.Annotations.TryGetValue(ScaleDownDisabledAnnotation, out var disabled) && string.Equals(disabled, "true", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var utilization = Utilization(node);
        if (utilization >= (group.Template.ScaleDownUtilizationThreshold ?? options.ScaleDownUtilizationThreshold))
        {
            return null;
        }

        var movable = simulator.MovablePods(node);
        if (movable.Count == 0)
        {
            return new Candidate(node, group, true, utilization, "empty");
        }

        if (movable.Any(p => Blocks(p, budgets)) || !simulator.Simulate([node]).FitsElsewhere)
        {
            return null;
        }

        return new Candidate(node, group, false, utilization,
            string.Create(CultureInfo.InvariantCulture, $"utilization {utilization:P0}, {movable.Count} pod(s) fit elsewhere"));
    }

    /// <summary>Cluster Autoscaler's pod-level blockers: its safe-to-evict answer, Karpenter's do-not-evict, no controller, local storage, kube-system without a budget, a budget at zero.</summary>
    private bool Blocks(PodRequest pod, IReadOnlyList<DisruptionBudget> budgets)
    {
        if (pod.SafeToEvict == false || pod.DoNotEvict)
        {
            return true;
        }

        var guarding = budgets.Where(b => b.Guards(pod.Namespace, pod.Labels)).ToList();
        if (guarding.Any(b => b.DisruptionsAllowed <= 0))
        {
            return true;
        }

        if (pod.SafeToEvict == true)
        {
            return false;
        }

        var view = cluster.FindPodView(pod.Namespace, pod.Name);
        return view?.OwnerKind is null || pod.HasLocalStorage || (pod.Namespace == "kube-system" && guarding.Count == 0);
    }

    private static double Utilization(NodeView node)
    {
        var requested = node.Requested();
        return Math.Max(Share(requested, node.Allocatable, ResourceNames.Cpu), Share(requested, node.Allocatable, ResourceNames.Memory));
    }

    private static double Share(ResourceList requested, ResourceList allocatable, string resource)
    {
        var offered = allocatable.Get(resource).ToDouble();
        return offered <= 0 ? 0 : requested.Get(resource).ToDouble() / offered;
    }

    private async Task RemoveAsync(Candidate candidate, Dictionary<string, NodeGroup> groups, Dictionary<string, int> removing, CancellationToken cancellationToken)
    {
        var (node, group) = (candidate.Node, candidate.Group);
        var from = groups[group.Name].DesiredCapacity - removing.GetValueOrDefault(group.Name);
        logger.NodeGroupScaleDown(group.Name, from, from - 1, node.Name, candidate.Why);
        try
        {
            await writer.SetNodeAnnotationsAsync(node.Name, new Dictionary<string, string?>
            {
                [Labels.TerminationReason] = candidate.Empty ? EmptyReason : UnderutilizedReason,
            }, cancellationToken).ConfigureAwait(false);
            await writer.AddNodeFinalizerAsync(node.Name, Core.Cluster.Finalizers.Termination, cancellationToken).ConfigureAwait(false);
            await writer.DeleteNodeAsync(node.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            _lastFailure = time.GetUtcNow();
            logger.NodeGroupScaleDownFailed(node.Name, group.Name, e.Message, options.ScaleDownDelayAfterFailure);
            return;
        }

        removing[group.Name] = removing.GetValueOrDefault(group.Name) + 1;
        _unneededSince.Remove(node.Name);
        metrics.Scaled(group.Name, "down", 1);
    }

    private sealed record Candidate(NodeView Node, NodeGroup Group, bool Empty, double Utilization, string Why);
}
