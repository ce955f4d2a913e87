using Capstan.Core.Cloud;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Provisioning;

namespace Capstan.Core.Ports;

/// <summary>
/// The cloud, as the controllers and the sandbox see it: what can be launched, launching one node claim, and the
/// instances the cluster owns. Implementations retry transient failures themselves and throw
/// <see cref="CloudProviderException"/> when they give up; capacity shortages are results, not exceptions.
/// </summary>
public interface ICloudProvider
{
    /// <summary>
    /// Instance types a node of this template can launch as, with allocatable for the kubelet settings and
    /// offerings (zone x capacity type, price, availability) in the zones of the template's subnets.
    /// </summary>
    Task<IReadOnlyList<InstanceType>> GetInstanceTypesAsync(NodeTemplate nodeTemplate, KubeletSettings kubelet, CancellationToken cancellationToken);

    /// <summary>Launches one instance for the claim, falling back across its options; idempotent on the claim name.</summary>
    Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken);

    /// <summary>Terminates the instance; an instance already gone counts as done. False when it was not found.</summary>
    Task<bool> TerminateAsync(string providerId, CancellationToken cancellationToken);

    /// <summary>The instance behind a providerID, or null when the cloud no longer knows it.</summary>
    Task<CloudInstance?> GetAsync(string providerId, CancellationToken cancellationToken);

    /// <summary>Every instance that carries this cluster's ownership tag and is not terminated.</summary>
    Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records that an offering (instance type, zone, capacity type) cannot be counted on for a while, for example
    /// because the cloud is reclaiming a spot instance of it: the instance types reported afterwards show it
    /// unavailable until the provider's hold expires (AWS: 3 minutes), so replacements are planned elsewhere.
    /// Marking it again extends the hold. <paramref name="reason"/> is a short word for logs (<c>SpotInterruption</c>).
    /// </summary>
    void MarkOfferingUnavailable(string instanceType, string zone, string capacityType, string reason);
}
