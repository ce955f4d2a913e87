using Capstan.Core.Pods;
using Capstan.Core.Ports;

namespace Capstan.Controllers.Provisioning;

/// <summary>
/// The extender's fast path into the batcher: a pod for which the filter found no node joins the open batch at once,
/// before kube-scheduler has marked it Unschedulable. Remembers those pods until their batch is planned, since the
/// pod watch does not show them as provisionable yet.
/// </summary>
public sealed class ProvisioningTrigger(ProvisioningBatcher batcher) : IProvisioningTrigger
{
    private readonly Lock _gate = new();
    private HashSet<string> _fastPath = new(StringComparer.Ordinal);

    public void Trigger(PodRequest pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        lock (_gate)
        {
            _fastPath.Add(pod.Key);
        }

        batcher.Add(pod.Key);
    }

    /// <summary>The pods the extender handed over since the last call.</summary>
    internal IReadOnlySet<string> TakeFastPath()
    {
        lock (_gate)
        {
            var taken = _fastPath;
            _fastPath = new HashSet<string>(StringComparer.Ordinal);
            return taken;
        }
    }
}
