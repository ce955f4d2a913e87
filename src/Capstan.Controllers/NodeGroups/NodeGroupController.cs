using Capstan.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.NodeGroups;

/// <summary>
/// Keeps the node-group listing fresh: every <see cref="NodeGroupOptions.RefreshInterval"/>, and sooner (at most once
/// per <see cref="NodeGroupOptions.ScanInterval"/>) when a node registers whose instance no listed group has yet, so
/// that capacity on its way stops counting as soon as it is Ready.
/// </summary>
public sealed class NodeGroupController(NodeGroupRegistry registry, IClusterState cluster, NodeGroupOptions options, TimeProvider time,
    ILogger<NodeGroupController> logger) : IController
{
    public string Name => "nodegroups";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!registry.Enabled)
        {
            return;
        }

        var tick = options.ScanInterval < options.RefreshInterval ? options.ScanInterval : options.RefreshInterval;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await ReconcileAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
                {
                    logger.NodeGroupRefreshFailed(e);
                }

                await Task.Delay(tick, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One check: refreshes when the listing is due or a node of an unknown instance has appeared. Public for tests.</summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var age = registry.RefreshedAt is { } at ? time.GetUtcNow() - at : TimeSpan.MaxValue;
        var due = age >= options.RefreshInterval
            || (age >= options.ScanInterval && cluster.IsSynced && cluster.Nodes().Any(registry.IsUnknownInstance));
        if (due)
        {
            if (await registry.RefreshAsync(cancellationToken).ConfigureAwait(false) && cluster.IsSynced)
            {
                registry.RememberUnknown(cluster.Nodes());
            }
        }
    }
}
