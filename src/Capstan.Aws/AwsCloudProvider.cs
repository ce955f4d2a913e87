using Capstan.Aws.Discovery;
using Capstan.Aws.Instances;
using Capstan.Aws.Launch;
using Capstan.Aws.Offerings;
using Capstan.Core.Cloud;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Ports;
using Capstan.Core.Provisioning;

namespace Capstan.Aws;

/// <summary>
/// The AWS cloud provider: EC2 through the SDK, composed of the template resolver (subnets, security groups, AMIs),
/// the instance-type provider (types, offerings, prices), the fleet launcher, the instance repository and the
/// offerings recently found unavailable (shared with the instance-type provider and the launcher).
/// Every call is timed and its failures counted in <see cref="CloudProviderMetrics"/>.
/// </summary>
public sealed class AwsCloudProvider(
    TemplateResolver resolver,
    InstanceTypeProvider instanceTypes,
    FleetLauncher launcher,
    InstanceRepository instances,
    UnavailableOfferings unavailable,
    CloudProviderMetrics metrics) : ICloudProvider
{
    public Task<IReadOnlyList<InstanceType>> GetInstanceTypesAsync(NodeTemplate nodeTemplate, KubeletSettings kubelet, CancellationToken cancellationToken) =>
        metrics.MeasureAsync("GetInstanceTypes", () => instanceTypes.GetInstanceTypesAsync(nodeTemplate, kubelet, cancellationToken));

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return metrics.MeasureAsync("Create", async () =>
        {
            var resolved = await resolver.ResolveAsync(request.Template, cancellationToken);
            var result = await launcher.LaunchAsync(request, resolved, cancellationToken);
            if (!result.Launched)
            {
                metrics.InsufficientCapacity();
            }

            return result;
        });
    }

    public Task<bool> TerminateAsync(string providerId, CancellationToken cancellationToken) =>
        metrics.MeasureAsync("Delete", () => instances.TerminateAsync(providerId, cancellationToken));

    public Task<CloudInstance?> GetAsync(string providerId, CancellationToken cancellationToken) =>
        metrics.MeasureAsync("Get", () => instances.GetAsync(providerId, cancellationToken));

    public Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken) =>
        metrics.MeasureAsync("List", () => instances.ListAsync(cancellationToken));

    public void MarkOfferingUnavailable(string instanceType, string zone, string capacityType, string reason) =>
        unavailable.MarkUnavailable(capacityType, instanceType, zone, reason);
}
