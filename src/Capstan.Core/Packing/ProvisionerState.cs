using Capstan.Core.InstanceTypes;
using Capstan.Core.Provisioning;
using Capstan.Core.Resources;

namespace Capstan.Core.Packing;

/// <summary>A provisioner with what it has already provisioned (counted against its limits).</summary>
public sealed record ProvisionerState(Provisioner Provisioner)
{
    public ResourceList Usage { get; init; } = ResourceList.Empty;

    /// <summary>Instance types resolved for this provisioner (its kubelet settings, its node template); null uses the snapshot's.</summary>
    public IReadOnlyList<InstanceType>? InstanceTypes { get; init; }
}
