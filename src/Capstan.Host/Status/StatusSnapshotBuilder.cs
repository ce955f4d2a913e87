using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Host.Status;

/// <summary>
/// Reads <see cref="IClusterState"/> (and the decisions and timeline the host keeps) into a <see cref="StatusSnapshot"/>.
/// It depends on the cluster port alone, so the page works over the production cache and any sandbox cluster alike.
/// </summary>
public sealed class StatusSnapshotBuilder(IClusterState cluster, DecisionLog decisions, StatusTimeline timeline, TimeProvider time)
{
    public StatusSnapshot Build()
    {
        var now = time.GetUtcNow();
        var nodes = cluster.Nodes();
        var planned = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var pod in node.Pods)
            {
                planned.TryAdd(pod.Key, node.Name);
            }
        }

        var pendingViews = cluster.PendingPodViews();
        var pendingKeys = pendingViews.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var pending = pendingViews
            .Select(p => new PendingPodStatus(p.Request.Namespace, p.Request.Name, Reason(p, planned, decisions.PendingReason(p.Key))))
            .ToList();
        decisions.RetainReasons(pendingKeys);

        return new StatusSnapshot(
            now,
            cluster.IsSynced,
            [.. nodes.OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => Node(n, now))],
            pending,
            decisions.Recent(),
            PricePerHour(nodes),
            timeline.Points());
    }

    /// <summary>The hourly price of the nodes whose price is known.</summary>
    public static double PricePerHour(IEnumerable<NodeView> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return Math.Round(nodes.Sum(n => n.PricePerHour ?? 0), 6);
    }

    /// <summary>Draining wins over in flight: a node Capstan is removing is shown as going, whatever its readiness.</summary>
    public static string State(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.MarkedForDeletion || node.Unschedulable || node.DisruptionCandidate
            || node.Taints.Any(t => t.Key == Labels.DisruptionTaint))
        {
            return NodeStates.Draining;
        }

        return node.InFlight || !node.Ready ? NodeStates.InFlight : NodeStates.Ready;
    }

    internal static NodeStatus Node(NodeView node, DateTimeOffset now)
    {
        var requested = node.Requested();
        var age = node.CreatedAt is { } created ? (long?)Math.Max(0, (long)(now - created).TotalSeconds) : null;
        return new NodeStatus(
            node.Name,
            Label(node, Labels.InstanceType),
            Label(node, Labels.Zone),
            Label(node, Labels.CapacityType),
            node.PricePerHour,
            age,
            State(node),
            new ResourceUse(Cores(requested.Cpu), Cores(node.Allocatable.Cpu)),
            new ResourceUse(requested.Memory.Value, node.Allocatable.Memory.Value),
            [.. node.Pods.Select(p => p.Key).Order(StringComparer.Ordinal)]);
    }

    /// <summary>Why the pod waits, in words: the most specific thing known about it first.</summary>
    internal static string Reason(PodView pod, IReadOnlyDictionary<string, string> planned, string? capstanReason)
    {
        if (pod.DeletionTimestamp is not null)
        {
            return "terminating";
        }

        if (planned.TryGetValue(pod.Key, out var node))
        {
            return $"waiting for node {node}, which Capstan launched for it, to be ready";
        }

        if (capstanReason is not null)
        {
            return $"Capstan found no node to launch for it: {capstanReason}";
        }

        if (pod.NominatedNodeName is { } nominated)
        {
            return $"nominated for node {nominated} after preemption";
        }

        return pod.ScheduledReason switch
        {
            null when pod.ScheduledStatus is null => "not yet tried by the scheduler",
            PodView.UnschedulableReason => "the scheduler found no node for it; Capstan has not planned one yet",
            null => $"scheduled condition {pod.ScheduledStatus}",
            var reason => $"scheduler: {reason}",
        };
    }

    private static string? Label(NodeView node, string key) => node.Labels.TryGetValue(key, out var value) ? value : null;

    private static double Cores(Quantity cpu) => cpu.MilliValue / 1000.0;
}
