using Capstan.Controllers.Provisioning;
using Capstan.Core.Cloud;
using Capstan.Core.Cluster;
using Capstan.Core.Ports;
using Capstan.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.Disruption;

/// <summary>
/// Garbage collection, once at start and then every <see cref="GarbageCollectionOptions.Interval"/>: the cloud's
/// instances and the cluster's nodes are compared. A <b>leaked instance</b> (launched for a node claim, no Node has
/// it, older than the registration TTL, so the provisioning loop will not adopt it any more) is terminated. An
/// <b>orphaned node</b> (a Node Capstan launched whose instance is terminated or gone) is deleted, with the
/// termination reason <c>gc</c>; its termination finalizer then skips the drain, since nothing runs its pods.
/// </summary>
/// <remarks>
/// One list of the cloud's instances answers for every node; only nodes missing from it are looked up one by one
/// (the list leaves terminated instances out). A node the cloud does not know at all is left alone for
/// <see cref="NotFoundGrace"/> after its creation, because EC2's reads can lag its launches. A cloud error ends the
/// pass; the next one tries again.
/// </remarks>
public sealed class GarbageCollectionController(
    IClusterState cluster,
    IClusterWriter writer,
    ICloudProvider cloud,
    ProvisioningOptions provisioning,
    GarbageCollectionOptions options,
    DisruptionMetrics metrics,
    TimeProvider time,
    ILogger<GarbageCollectionController> logger) : IController
{
    /// <summary>The termination reason this controller writes and counts.</summary>
    public const string Reason = "gc";

    /// <summary>How long a node whose instance the cloud does not know is spared after its creation.</summary>
    public static readonly TimeSpan NotFoundGrace = TimeSpan.FromMinutes(1);

    public string Name => "garbage-collection";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ClusterSync.WaitAsync(cluster, time, cancellationToken).ConfigureAwait(false);

            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await CollectAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
                {
                    logger.GarbageCollectionPassFailed(e, options.Interval);
                }

                await Task.Delay(options.Interval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One pass (public for tests, which drive passes with a fake clock). A cloud error ends it early, logged; what
    /// was done before stays done.
    /// </summary>
    public async Task CollectAsync(CancellationToken cancellationToken)
    {
        try
        {
            var instances = await cloud.ListAsync(cancellationToken).ConfigureAwait(false);

            // Read after the list: a node created meanwhile is then seen, and its instance looked up below.
            var nodes = cluster.Nodes();
            var leaked = await TerminateLeakedAsync(instances, nodes, cancellationToken).ConfigureAwait(false);
            var orphaned = await DeleteOrphanedAsync(instances, nodes, cancellationToken).ConfigureAwait(false);
            logger.GarbageCollected(instances.Count, nodes.Count, leaked, orphaned);
        }
        catch (CloudProviderException e)
        {
            logger.GarbageCollectionFailed(e, options.Interval);
        }
    }

    private async Task<int> TerminateLeakedAsync(IReadOnlyList<CloudInstance> instances, IReadOnlyList<NodeView> nodes, CancellationToken cancellationToken)
    {
        var withNode = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (node.ProviderId is { } providerId)
            {
                withNode.Add(ProviderIds.InstanceId(providerId));
            }
        }

        var now = time.GetUtcNow();
        var terminated = 0;
        foreach (var instance in instances)
        {
            var age = now - instance.LaunchTime;
            if (instance.IsTerminating || instance.ClaimName is null || withNode.Contains(instance.InstanceId) || age <= provisioning.RegistrationTtl)
            {
                continue;
            }

            if (await cloud.TerminateAsync(instance.ProviderId, cancellationToken).ConfigureAwait(false))
            {
                terminated++;
                metrics.Terminated(Reason);
                logger.LeakedInstanceTerminated(instance.InstanceId, instance.ClaimName, age);
            }
        }

        return terminated;
    }

    private async Task<int> DeleteOrphanedAsync(IReadOnlyList<CloudInstance> instances, IReadOnlyList<NodeView> nodes, CancellationToken cancellationToken)
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            if (!instance.IsTerminating)
            {
                live.Add(instance.InstanceId);
            }
        }

        var now = time.GetUtcNow();
        var deleted = 0;
        foreach (var node in nodes)
        {
            if (node.ProvisionerName is null || node.ProviderId is not { } providerId || node.MarkedForDeletion
                || live.Contains(ProviderIds.InstanceId(providerId)))
            {
                continue;
            }

            // The list leaves terminated instances out and may predate a launch: ask about this one.
            var instance = await cloud.GetAsync(providerId, cancellationToken).ConfigureAwait(false);
            string state;
            if (instance is null)
            {
                if (node.CreatedAt is { } created && now - created < NotFoundGrace)
                {
                    continue;
                }

                state = "gone";
            }
            else if (instance.IsTerminating)
            {
                state = instance.State;
            }
            else
            {
                continue;
            }

            try
            {
                logger.OrphanedNodeDeleted(node.Name, providerId, state);
                await writer.SetNodeAnnotationsAsync(node.Name, new Dictionary<string, string?> { [Labels.TerminationReason] = Reason }, cancellationToken).ConfigureAwait(false);
                await writer.DeleteNodeAsync(node.Name, cancellationToken).ConfigureAwait(false);
                deleted++;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not (CloudProviderException or OutOfMemoryException))
            {
                logger.OrphanedNodeDeleteFailed(e, node.Name);
            }
        }

        return deleted;
    }
}
