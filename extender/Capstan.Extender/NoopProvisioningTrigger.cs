using Capstan.Core.Pods;
using Capstan.Core.Ports;

namespace Capstan.Extender;

/// <summary>The default trigger until the provisioning controller registers its own: the pod watch alone triggers provisioning.</summary>
public sealed class NoopProvisioningTrigger : IProvisioningTrigger
{
    public void Trigger(PodRequest pod)
    {
    }
}
