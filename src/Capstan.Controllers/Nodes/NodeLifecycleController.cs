using Capstan.Controllers.Provisioning;
using Capstan.Core.Cluster;
using Capstan.Core.Ports;
using Capstan.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.Nodes;

/// <summary>
/// The life of a node Capstan launched, after its launch and until its deletion: <b>initialization</b> (Ready and its
/// startup taints gone: label <c>karpenter.sh/initialized</c>, and it stops being in flight) and <b>registration
/// liveness</b> (not initialized within the registration TTL: annotated with the termination reason
/// <c>registration</c>, its instance terminated and the Node deleted, so its pods are planned again). What follows a
/// deletion is the termination controller's.
/// </summary>
public sealed class NodeLifecycleController(
    IClusterState cluster,
    IClusterWriter writer,
    ICloudProvider cloud,
    ProvisioningOptions provisioning,
    NodeLifecycleOptions options,
    TimeProvider time,
    ILogger<NodeLifecycleController> logger) : IController
{
    private readonly EventRecorder _events = new(writer, logger);

    public string Name => "node-lifecycle";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var nodes = cluster.Subscribe(c => c.Kind == ClusterObjectKind.Node);
        await ClusterSync.WaitAsync(cluster, time, cancellationToken).ConfigureAwait(false);

        var next = time.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (now >= next)
            {
                await ReconcileAllAsync(cancellationToken).ConfigureAwait(false);
                next = now + options.ReconcileInterval;
            }

            while (nodes.TryRead(out var change))
            {
                if (change.Node is { } changed && cluster.FindNode(changed.Name) is { } current)
                {
                    await ReconcileAsync(current, cancellationToken).ConfigureAwait(false);
                }
            }

            var wait = next - time.GetUtcNow();
            using var timer = new CancellationTokenSource(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time);
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                await nodes.WaitAsync(tick.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>One pass over every node (public for tests, which drive passes with a fake clock).</summary>
    public async Task ReconcileAllAsync(CancellationToken cancellationToken)
    {
        foreach (var node in cluster.Nodes())
        {
            await ReconcileAsync(node, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReconcileAsync(NodeView node, CancellationToken cancellationToken)
    {
        try
        {
            if (node.MarkedForDeletion || node.ProvisionerName is null || !node.InFlight)
            {
                return;
            }

            if (IsInitialized(node))
            {
                if (await writer.SetNodeLabelsAsync(node.Name, new Dictionary<string, string?> { [Labels.Initialized] = "true" }, cancellationToken).ConfigureAwait(false))
                {
                    logger.NodeInitialized(node.Name);
                }

                return;
            }

            if (node.CreatedAt is { } created && time.GetUtcNow() - created >= provisioning.RegistrationTtl)
            {
                logger.RegistrationTimedOut(node.Name, provisioning.RegistrationTtl);
                await _events.NodeAsync(node.Name, "FailedRegistration", ClusterEventType.Warning,
                    $"The node was not Ready within {provisioning.RegistrationTtl}; its instance is terminated and its pods are planned again", cancellationToken).ConfigureAwait(false);

                // The reason first, so that whoever finishes the deletion counts it as a registration failure, not a user's delete.
                await writer.SetNodeAnnotationsAsync(node.Name, new Dictionary<string, string?> { [Labels.TerminationReason] = "registration" }, cancellationToken).ConfigureAwait(false);
                if (node.ProviderId is { } providerId)
                {
                    await cloud.TerminateAsync(providerId, cancellationToken).ConfigureAwait(false);
                    logger.TerminatedInstance(providerId, node.Name);
                }

                await writer.DeleteNodeAsync(node.Name, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            logger.NodeActionFailed(e, "Reconciling", node.Name);
        }
    }

    /// <summary>Ready, and neither the not-ready family of taints nor any of its provisioner's startup taints left on it.</summary>
    private bool IsInitialized(NodeView node)
    {
        if (!node.Ready)
        {
            return false;
        }

        var startup = cluster.Provisioners().FirstOrDefault(p => p.Name == node.ProvisionerName)?.StartupTaints ?? [];
        return !node.Taints.Any(t => Labels.NotReadyTaints.Contains(t.Key) || startup.Any(s => s.Key == t.Key && s.Effect == t.Effect));
    }
}
