using System.Globalization;
using Capstan.Controllers.Provisioning;
using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Pods;
using Capstan.Core.Ports;
using Capstan.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.Disruption;

/// <summary>
/// Interruption handling: reads the interruption queue (long polls) and acts on the nodes Capstan launched before the
/// cloud takes their instances. A spot interruption warning, a scheduled change, a stopping or a terminating instance
/// gets its node cordoned and marked as a disruption candidate, its pods' replacement capacity planned at once (so it
/// launches while the two-minute warning runs, not after the drain), and the node deleted, which its termination
/// finalizer turns into a drain and the instance's termination. A spot interruption also keeps the provisioner off
/// that offering for a while. A rebalance recommendation only gets an Event and a metric: acting on every one would
/// churn nodes. Messages about instances that run no Capstan node are deleted and counted as ignored.
/// </summary>
/// <remarks>
/// A message is deleted from the queue once handled; one whose handling failed is left there and comes back after the
/// queue's visibility timeout. Every step is idempotent, so handling a message twice does no harm.
/// </remarks>
public sealed class InterruptionController(
    IClusterState cluster,
    IClusterWriter writer,
    ICloudProvider cloud,
    IInterruptionSource source,
    ProvisioningController provisioning,
    DisruptionMetrics metrics,
    TimeProvider time,
    ILogger<InterruptionController> logger) : IController
{
    private readonly EventRecorder _events = new(writer, logger);

    /// <summary>The value of the disruption and termination-reason annotations this controller writes.</summary>
    public const string Reason = "interruption";

    /// <summary>What the offering's hold is called in the cloud provider's records.</summary>
    public const string SpotInterruptionReason = "SpotInterruption";

    /// <summary>First wait after the queue could not be read; doubled after each failure in a row, up to <see cref="MaxBackoff"/>.</summary>
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    public string Name => "interruption";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ClusterSync.WaitAsync(cluster, time, cancellationToken).ConfigureAwait(false);

            var backoff = FirstBackoff;
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await PollAsync(cancellationToken).ConfigureAwait(false);
                    backoff = FirstBackoff;
                }
                catch (CloudProviderException e)
                {
                    logger.InterruptionReceiveFailed(e, backoff);
                    await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
                    backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One long poll of the queue and the handling of what it gave (public for tests, which drive it without the loop).
    /// Throws <see cref="CloudProviderException"/> when the queue could not be read; a message whose handling failed is
    /// logged and left in the queue. Returns the number of messages received.
    /// </summary>
    public async Task<int> PollAsync(CancellationToken cancellationToken)
    {
        var messages = await source.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (messages.Count == 0)
        {
            return 0;
        }

        var byInstance = NodesByInstance();
        foreach (var message in messages)
        {
            if (await HandleAsync(message, byInstance, cancellationToken).ConfigureAwait(false))
            {
                await CompleteAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }

        return messages.Count;
    }

    /// <summary>The metric's kind label for a message.</summary>
    public static string KindLabel(InterruptionKind kind) => kind switch
    {
        InterruptionKind.SpotInterrupted => "spot",
        InterruptionKind.RebalanceRecommendation => "rebalance",
        InterruptionKind.ScheduledChange => "scheduled-change",
        InterruptionKind.InstanceStopped => "stopping",
        InterruptionKind.InstanceTerminated => "terminating",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown interruption kind"),
    };

    /// <summary>Handles one message; false when that failed (the message stays in the queue).</summary>
    private async Task<bool> HandleAsync(InterruptionEvent message, Dictionary<string, string> byInstance, CancellationToken cancellationToken)
    {
        var kind = KindLabel(message.Kind);
        var instances = string.Join(", ", message.InstanceIds);
        logger.InterruptionReceived(message.MessageId, kind, instances);
        try
        {
            var targets = new List<(string InstanceId, string Node)>();
            foreach (var instanceId in message.InstanceIds)
            {
                if (byInstance.TryGetValue(instanceId, out var node))
                {
                    targets.Add((instanceId, node));
                }
            }

            if (targets.Count == 0)
            {
                metrics.Interruption("ignored");
                logger.InterruptionIgnored(message.MessageId, kind, instances);
                return true;
            }

            metrics.Interruption(kind);
            foreach (var (instanceId, nodeName) in targets)
            {
                // Read again: an earlier message of the same batch may have acted on this node already.
                if (cluster.FindNode(nodeName) is { } node)
                {
                    await HandleNodeAsync(message, kind, instanceId, node, cancellationToken).ConfigureAwait(false);
                }
            }

            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            logger.InterruptionFailed(e, message.MessageId, kind);
            return false;
        }
    }

    private async Task HandleNodeAsync(InterruptionEvent message, string kind, string instanceId, NodeView node, CancellationToken cancellationToken)
    {
        if (message.Kind == InterruptionKind.RebalanceRecommendation)
        {
            logger.RebalanceRecommended(node.Name, instanceId);
            await _events.NodeAsync(node.Name, "RebalanceRecommendation", ClusterEventType.Normal,
                $"EC2 recommends rebalancing (announced {Format(message.Time)}): the spot instance is at elevated risk of interruption; Capstan takes no action",
                cancellationToken).ConfigureAwait(false);
            return;
        }

        if (node.MarkedForDeletion && node.Annotations.GetValueOrDefault(Labels.TerminationReason) == Reason)
        {
            // A redelivered message, or the state change that follows a spot warning: the node is on its way out.
            logger.InterruptionAlreadyHandled(node.Name, message.MessageId, kind);
            return;
        }

        if (message.Kind == InterruptionKind.SpotInterrupted)
        {
            MarkOfferingUnavailable(node);
        }

        if (!node.Unschedulable)
        {
            await writer.CordonAsync(node.Name, cancellationToken).ConfigureAwait(false);
        }

        if (node.Annotations.GetValueOrDefault(Labels.DisruptionAnnotation) != Reason)
        {
            await writer.SetNodeAnnotationsAsync(node.Name, new Dictionary<string, string?> { [Labels.DisruptionAnnotation] = Reason }, cancellationToken).ConfigureAwait(false);
        }

        var pods = Displaceable(node);
        provisioning.Displace(pods);
        var what = Describe(message.Kind);
        var deadline = message.Deadline is { } at ? Format(at) : "none announced";
        logger.NodeInterrupted(node.Name, instanceId, what, deadline, pods.Count);
        await _events.NodeAsync(node.Name, "Interrupted", ClusterEventType.Warning,
            $"{Capitalized(what)} (announced {Format(message.Time)}, deadline {deadline}): replacement capacity is being provisioned, the node is drained and deleted",
            cancellationToken).ConfigureAwait(false);

        if (!node.MarkedForDeletion)
        {
            // A node already being deleted keeps the reason of whoever decided that first.
            await writer.SetNodeAnnotationsAsync(node.Name, new Dictionary<string, string?> { [Labels.TerminationReason] = Reason }, cancellationToken).ConfigureAwait(false);
            await writer.DeleteNodeAsync(node.Name, cancellationToken).ConfigureAwait(false);
        }
    }

    private void MarkOfferingUnavailable(NodeView node)
    {
        if (node.Labels.TryGetValue(Labels.InstanceType, out var instanceType)
            && node.Labels.TryGetValue(Labels.Zone, out var zone)
            && node.Labels.TryGetValue(Labels.CapacityType, out var capacityType))
        {
            cloud.MarkOfferingUnavailable(instanceType, zone, capacityType, SpotInterruptionReason);
            logger.OfferingMarkedUnavailable(instanceType, capacityType, zone, "EC2 is reclaiming a spot instance of it");
        }
        else
        {
            logger.OfferingUnknown(node.Name);
        }
    }

    /// <summary>The node's pods that need a new home: all but DaemonSet and static (mirror) pods, finished pods and pods already being deleted.</summary>
    private List<PodRequest> Displaceable(NodeView node)
    {
        var pods = new List<PodRequest>();
        foreach (var request in node.Pods)
        {
            if (cluster.FindPodView(request.Namespace, request.Name) is { } pod
                && pod.OwnerKind is not ("DaemonSet" or "Node")
                && pod.Phase is not ("Succeeded" or "Failed")
                && pod.DeletionTimestamp is null)
            {
                pods.Add(pod.Request);
            }
        }

        return pods;
    }

    /// <summary>Instance id (the last segment of <c>aws:///zone/i-...</c>) to the name of the Capstan node it runs.</summary>
    private Dictionary<string, string> NodesByInstance()
    {
        var byInstance = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in cluster.Nodes())
        {
            if (node.ProviderId is { } providerId && node.ProvisionerName is not null)
            {
                byInstance[ProviderIds.InstanceId(providerId)] = node.Name;
            }
        }

        return byInstance;
    }

    private async Task CompleteAsync(InterruptionEvent message, CancellationToken cancellationToken)
    {
        try
        {
            await source.CompleteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            logger.InterruptionCompleteFailed(e, message.MessageId);
        }
    }

    private static string Describe(InterruptionKind kind) => kind switch
    {
        InterruptionKind.SpotInterrupted => "EC2 is reclaiming the spot instance",
        InterruptionKind.ScheduledChange => "AWS scheduled maintenance for the instance",
        InterruptionKind.InstanceStopped => "the instance is stopping",
        InterruptionKind.InstanceTerminated => "the instance is terminating",
        _ => "the instance is at risk",
    };

    private static string Capitalized(string text) => string.Concat(text[..1].ToUpperInvariant(), text[1..]);

    private static string Format(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
