using Capstan.Controllers.NodeGroups;
using Capstan.Controllers.Nodes;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.Disruption;

/// <summary>
/// Finishes the deletion of every Node that carries the <c>karpenter.sh/termination</c> finalizer, whoever deleted
/// it (a disruption controller, the registration deadline, <c>kubectl delete node</c>): cordons and taints it, drains
/// it through the Eviction API (non-critical pods first, then critical ones, never forcing past a disruption budget),
/// terminates its instance and removes the finalizer. A node whose instance is already gone is not drained: its pods
/// are deleted so that their controllers recreate them elsewhere.
/// </summary>
/// <remarks>
/// Everything a drain needs is read from the cluster (cordon, taint, pods) and the cloud (whether the instance is still
/// running), so a new leader resumes a drain where the last one stopped and never terminates an instance twice. Only the
/// eviction backoff, the one-off Event and log lines and the start of the drain clock live in memory.
/// </remarks>
public sealed class TerminationController(
    IClusterState cluster,
    IClusterWriter writer,
    ICloudProvider cloud,
    DisruptionMetrics metrics,
    NodeLifecycleOptions options,
    TimeProvider time,
    ILogger<TerminationController> logger,
    NodeGroupRegistry? nodeGroups = null) : IController
{
    private readonly EventRecorder _events = new(writer, logger);

    /// <summary>Priority from which a pod is critical (<c>system-cluster-critical</c>, <c>system-node-critical</c>): drained last.</summary>
    public const int CriticalPriority = 2_000_000_000;

    /// <summary>The reason counted for a node deleted without a <see cref="Labels.TerminationReason"/> annotation.</summary>
    public const string UserReason = "user";

    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromMinutes(1);
    private static readonly Taint s_disruptionTaint = new(Labels.DisruptionTaint, "", TaintEffect.NoSchedule);

    // Per node being terminated. Only touched by one pass at a time (the loop, or a test driving passes).
    private readonly Dictionary<string, Termination> _terminations = new(StringComparer.Ordinal);

    public string Name => "termination";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await LoopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass over every node (public for tests, which drive passes with a fake clock).</summary>
    public async Task ReconcileAllAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in cluster.Nodes())
        {
            seen.Add(node.Name);
            await ReconcileAsync(node, cancellationToken).ConfigureAwait(false);
        }

        foreach (var name in _terminations.Keys.Where(n => !seen.Contains(n)).ToList())
        {
            _terminations.Remove(name);
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        // Pods leaving a draining node are what lets its drain go on; a node's own changes start or resume one.
        using var changes = cluster.Subscribe(c => c.Kind == ClusterObjectKind.Node
            || (c.Kind == ClusterObjectKind.Pod && c.Type == ClusterChangeType.Deleted));
        await ClusterSync.WaitAsync(cluster, time, cancellationToken).ConfigureAwait(false);

        var next = time.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var due = new HashSet<string>(StringComparer.Ordinal);
            if (now >= next)
            {
                await ReconcileAllAsync(cancellationToken).ConfigureAwait(false);
                next = now + options.ReconcileInterval;
            }
            else
            {
                due.UnionWith(_terminations.Where(t => t.Value.RetryAt <= now).Select(t => t.Key));
            }

            while (changes.TryRead(out var change))
            {
                if ((change.Kind == ClusterObjectKind.Node ? change.Key : change.PreviousPod?.NodeName) is { } name)
                {
                    due.Add(name);
                }
            }

            foreach (var name in due)
            {
                if (cluster.FindNode(name) is { } node)
                {
                    await ReconcileAsync(node, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    _terminations.Remove(name);
                }
            }

            var wake = next;
            foreach (var termination in _terminations.Values)
            {
                if (termination.RetryAt is { } at && at < wake)
                {
                    wake = at;
                }
            }

            var wait = wake - time.GetUtcNow();
            using var timer = new CancellationTokenSource(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time);
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                await changes.WaitAsync(tick.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private async Task ReconcileAsync(NodeView node, CancellationToken cancellationToken)
    {
        if (!node.MarkedForDeletion || !node.Finalizers.Contains(Finalizers.Termination))
        {
            // Not being deleted, or not Capstan's to finish.
            _terminations.Remove(node.Name);
            return;
        }

        if (!_terminations.TryGetValue(node.Name, out var termination))
        {
            // The drain clock starts when this process first sees the deletion: after a restart (or a change of
            // leader) it starts again, so a drain that spans a restart is measured from the restart.
            termination = new Termination(time.GetUtcNow());
            _terminations[node.Name] = termination;
        }

        try
        {
            await TerminateAsync(node, termination, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            logger.TerminationFailed(e, node.Name);
        }
    }

    private async Task TerminateAsync(NodeView node, Termination termination, CancellationToken cancellationToken)
    {
        await CordonAsync(node, cancellationToken).ConfigureAwait(false);

        var instance = node.ProviderId is { } providerId ? await cloud.GetAsync(providerId, cancellationToken).ConfigureAwait(false) : null;
        var pods = PodsToDrain(node);
        if (instance is null || instance.IsTerminating)
        {
            // Nothing runs its pods any more: delete them so that their controllers make new ones elsewhere.
            if (pods.Count > 0)
            {
                logger.InstanceGone(node.Name, pods.Count);
            }

            foreach (var pod in pods)
            {
                await writer.DeletePodAsync(pod.Request.Namespace, pod.Request.Name, cancellationToken).ConfigureAwait(false);
            }

            await FinishAsync(node, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (pods.Count > 0)
        {
            await DrainAsync(node, termination, pods, cancellationToken).ConfigureAwait(false);
            return;
        }

        // The instance was running when asked just now, so this is the only termination it gets from here. A node
        // group's instance leaves through its group, with the desired capacity lowered, so that it is not replaced.
        if (nodeGroups?.GroupOf(node) is { } group)
        {
            await nodeGroups.Provider.TerminateInstanceAsync(instance.InstanceId, cancellationToken).ConfigureAwait(false);
            nodeGroups.ScaledDown(group.Name);
            logger.NodeGroupInstanceRemoved(instance.InstanceId, node.Name, group.Name);
        }
        else
        {
            await cloud.TerminateAsync(instance.ProviderId, cancellationToken).ConfigureAwait(false);
            logger.TerminatedInstance(instance.ProviderId, node.Name);
        }

        metrics.Drained(time.GetUtcNow() - termination.Started);
        await FinishAsync(node, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cordons the node and taints it <c>karpenter.sh/disruption:NoSchedule</c>, unless it is both already.</summary>
    private async Task CordonAsync(NodeView node, CancellationToken cancellationToken)
    {
        var tainted = node.Taints.Any(t => t.Key == s_disruptionTaint.Key && t.Effect == s_disruptionTaint.Effect);
        if (node.Unschedulable && tainted)
        {
            return;
        }

        if (!node.Unschedulable)
        {
            await writer.CordonAsync(node.Name, cancellationToken).ConfigureAwait(false);
        }

        if (!tainted)
        {
            await writer.AddNodeTaintAsync(node.Name, s_disruptionTaint, cancellationToken).ConfigureAwait(false);
        }

        logger.Cordoned(node.Name);
    }

    private async Task DrainAsync(NodeView node, Termination termination, List<PodView> pods, CancellationToken cancellationToken)
    {
        if (!termination.DrainLogged)
        {
            termination.DrainLogged = true;
            logger.DrainingNode(node.Name, pods.Count);
        }

        var blockers = pods.Where(p => p.Request.DoNotEvict && p.DeletionTimestamp is null).Select(p => p.Key).ToList();
        if (blockers.Count > 0)
        {
            if (!termination.BlockReported)
            {
                termination.BlockReported = true;
                await ReportBlockedAsync(node.Name, string.Join(", ", blockers), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var now = time.GetUtcNow();
        if (termination.RetryAt is { } retryAt && now < retryAt)
        {
            return;
        }

        // Karpenter's order: critical pods (cluster DNS, CNI helpers...) keep running until every other pod has left.
        var nonCritical = pods.Where(p => !IsCritical(p)).ToList();
        var group = nonCritical.Count > 0 ? nonCritical : pods;
        var delay = termination.Backoff;
        var refused = false;
        foreach (var pod in group.Where(p => p.DeletionTimestamp is null))
        {
            refused |= !await EvictAsync(node.Name, pod, delay, cancellationToken).ConfigureAwait(false);
        }

        if (refused)
        {
            termination.RetryAt = now + delay;
            termination.Backoff = delay * 2 < s_maxBackoff ? delay * 2 : s_maxBackoff;
        }
        else
        {
            termination.RetryAt = null;
            termination.Backoff = s_firstBackoff;
        }
    }

    /// <summary>Asks the Eviction API to evict one pod; false when it must be asked again later.</summary>
    private async Task<bool> EvictAsync(string nodeName, PodView pod, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cluster.FindPodView(pod.Request.Namespace, pod.Request.Name) is not { } current || current.NodeName != nodeName)
        {
            metrics.Eviction("gone");
            return true;
        }

        try
        {
            if (await writer.EvictAsync(pod.Request.Namespace, pod.Request.Name, cancellationToken).ConfigureAwait(false))
            {
                metrics.Eviction("evicted");
                logger.EvictedPod(pod.Key, nodeName);
                return true;
            }

            metrics.Eviction("blocked");
            logger.EvictionRefused(pod.Key, nodeName, delay);
            return false;
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            metrics.Eviction("failed");
            logger.EvictionFailed(e, pod.Key, nodeName, delay);
            return false;
        }
    }

    private async Task FinishAsync(NodeView node, CancellationToken cancellationToken)
    {
        await writer.RemoveNodeFinalizerAsync(node.Name, Finalizers.Termination, cancellationToken).ConfigureAwait(false);
        _terminations.Remove(node.Name);
        metrics.Terminated(node.Annotations.TryGetValue(Labels.TerminationReason, out var reason) && !string.IsNullOrEmpty(reason) ? reason : UserReason);
        logger.NodeDeleted(node.Name);
    }

    private async Task ReportBlockedAsync(string nodeName, string pods, CancellationToken cancellationToken)
    {
        logger.DrainBlocked(nodeName, pods);
        await _events.NodeAsync(nodeName, "DrainBlocked", ClusterEventType.Warning,
            $"Cannot drain the node: pod(s) {pods} have the karpenter.sh/do-not-evict annotation; the node is terminated once they are gone",
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The node's pods a drain removes: all but DaemonSet pods and static (mirror) pods, which go with the node, and
    /// pods that have finished. Pods already terminating are included: the drain waits for them.
    /// </summary>
    private List<PodView> PodsToDrain(NodeView node)
    {
        var pods = new List<PodView>();
        foreach (var request in node.Pods)
        {
            if (cluster.FindPodView(request.Namespace, request.Name) is { } pod
                && pod.OwnerKind is not ("DaemonSet" or "Node")
                && pod.Phase is not ("Succeeded" or "Failed"))
            {
                pods.Add(pod);
            }
        }

        return pods;
    }

    private static bool IsCritical(PodView pod) => pod.Priority >= CriticalPriority;

    /// <summary>What this process remembers of one node's termination.</summary>
    private sealed class Termination(DateTimeOffset started)
    {
        public DateTimeOffset Started { get; } = started;

        /// <summary>The wait after the next refused eviction.</summary>
        public TimeSpan Backoff { get; set; } = s_firstBackoff;

        /// <summary>No eviction is asked for before then (a disruption budget said no).</summary>
        public DateTimeOffset? RetryAt { get; set; }

        public bool DrainLogged { get; set; }

        public bool BlockReported { get; set; }
    }
}
