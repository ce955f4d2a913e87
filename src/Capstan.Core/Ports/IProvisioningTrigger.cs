using Capstan.Core.Pods;

namespace Capstan.Core.Ports;

/// <summary>
/// The fast path into provisioning: the extender calls it when its filter removed every candidate node
/// for a pod, so the provisioner can plan capacity without waiting for the pending-pod watch.
/// </summary>
/// <remarks>
/// Called on the scheduler's critical path: implementations must not block or do I/O (enqueue and
/// return). The pod watch stays the durable trigger; a dropped call only costs latency.
/// </remarks>
public interface IProvisioningTrigger
{
    void Trigger(PodRequest pod);
}
