using Capstan.Core.Cluster;
using Capstan.Core.Packing;
using Capstan.Core.Ports;
using Capstan.Core.Resources;
using Microsoft.Extensions.Logging;

namespace Capstan.Controllers.Provisioning;

/// <summary>
/// Keeps each Provisioner's <c>status.resources</c> (the capacity of the nodes it owns, in flight included, as its
/// limits count it) current through the status subresource, and publishes usage and limits as metrics. Writes only
/// what changed, at most once per interval.
/// </summary>
public sealed class ProvisionerStatusController(
    IClusterState cluster,
    IClusterWriter writer,
    ProvisioningMetrics metrics,
    TimeProvider time,
    ILogger<ProvisionerStatusController> logger) : IController
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, ResourceList> _written = new(StringComparer.Ordinal);

    public string Name => "provisioner-status";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var changes = cluster.Subscribe(c => c.Kind is ClusterObjectKind.Node or ClusterObjectKind.Provisioner);
        await ClusterSync.WaitAsync(cluster, time, cancellationToken).ConfigureAwait(false);

        // Leadership may have changed hands: what the last leader wrote is unknown, so write everything once.
        _written.Clear();
        while (!cancellationToken.IsCancellationRequested)
        {
            while (changes.TryRead(out _))
            {
            }

            await UpdateAsync(cancellationToken).ConfigureAwait(false);
            await changes.WaitAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(s_interval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One update (public for tests).</summary>
    public async Task UpdateAsync(CancellationToken cancellationToken)
    {
        var usage = SnapshotBuilder.Usage(cluster.Nodes());
        var provisioners = cluster.Provisioners();
        metrics.ProvisionerResources(provisioners.Select(p => (p.Name, usage.GetValueOrDefault(p.Name, ResourceList.Empty), p.Limits)));
        foreach (var provisioner in provisioners)
        {
            var resources = usage.GetValueOrDefault(provisioner.Name, ResourceList.Empty);
            if (_written.TryGetValue(provisioner.Name, out var written) && written.Equals(resources))
            {
                continue;
            }

            try
            {
                if (await writer.PatchProvisionerStatusAsync(provisioner.Name, resources, cancellationToken).ConfigureAwait(false))
                {
                    _written[provisioner.Name] = resources;
                    if (logger.IsEnabled(LogLevel.Debug))
                    {
                        logger.ProvisionerStatusPatched(provisioner.Name, ResourceText.Of(resources));
                    }
                }
            }
            catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
            {
                logger.StatusPatchFailed(e, provisioner.Name);
            }
        }

        foreach (var gone in _written.Keys.Where(k => provisioners.All(p => p.Name != k)).ToList())
        {
            _written.Remove(gone);
        }
    }
}
