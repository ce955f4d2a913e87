using Capstan.Core.Ports;

namespace Capstan.Controllers;

/// <summary>What every controller does first: wait for the cluster state's first complete list, since answers before it would be guesses.</summary>
public static class ClusterSync
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(100);

    public static async Task WaitAsync(IClusterState cluster, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(time);
        while (!cluster.IsSynced)
        {
            await Task.Delay(s_poll, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
