using Capstan.Core.Ports;
using Microsoft.Extensions.Options;

namespace Capstan.Host.Status;

/// <summary>
/// Takes a timeline point (nodes, price per hour) at start and then every <see cref="StatusOptions.SampleInterval"/>,
/// on the host's <see cref="TimeProvider"/>. Does nothing without a cluster adapter, and skips samples while the cluster
/// caches have not synced (they would show an empty cluster that is not there).
/// </summary>
public sealed class StatusSampler(
    IServiceProvider services,
    StatusTimeline timeline,
    TimeProvider time,
    IOptions<StatusOptions> options,
    ILogger<StatusSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<IClusterState>() is not { } cluster)
        {
            return;
        }

        var interval = options.Value.SampleInterval;
        logger.StatusSampling(interval);
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            Sample(cluster);
        }
        while (await Tick(timer, stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Adds one point now, when the cluster state has synced; false when it has not.</summary>
    internal bool Sample(IClusterState cluster)
    {
        if (!cluster.IsSynced)
        {
            return false;
        }

        try
        {
            var nodes = cluster.Nodes();
            timeline.Add(new TimelinePoint(time.GetUtcNow(), nodes.Count, StatusSnapshotBuilder.PricePerHour(nodes)));
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A cache in the middle of a re-list must not stop the sampling; the next tick tries again.
            logger.StatusSampleFailed(e);
            return false;
        }
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
