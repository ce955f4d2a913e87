using Amazon.EC2.Model;
using Capstan.Core.Cloud;
using Capstan.Core.Scheduling;

namespace Capstan.Aws.Instances;

/// <summary>Turns an EC2 <c>Instance</c> into the <see cref="CloudInstance"/> Core tracks.</summary>
public static class Ec2Instances
{
    public static CloudInstance ToCloudInstance(Instance instance, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(time);
        var tags = (instance.Tags ?? []).Where(t => t.Key is not null)
            .GroupBy(t => t.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value ?? "", StringComparer.Ordinal);
        var zone = instance.Placement?.AvailabilityZone ?? "";
        return new CloudInstance
        {
            InstanceId = instance.InstanceId,
            ProviderId = ProviderIds.For(zone, instance.InstanceId),
            InstanceType = instance.InstanceType?.Value ?? "",
            Zone = zone,
            CapacityType = instance.InstanceLifecycle?.Value == "spot" ? Labels.CapacityTypeSpot : Labels.CapacityTypeOnDemand,
            PrivateDnsName = string.IsNullOrEmpty(instance.PrivateDnsName) ? null : instance.PrivateDnsName,
            PrivateIpAddress = string.IsNullOrEmpty(instance.PrivateIpAddress) ? null : instance.PrivateIpAddress,
            LaunchTime = instance.LaunchTime is { } launched ? new DateTimeOffset(DateTime.SpecifyKind(launched.ToUniversalTime(), DateTimeKind.Utc)) : time.GetUtcNow(),
            State = instance.State?.Name?.Value ?? "pending",
            ImageId = instance.ImageId,
            ClaimName = tags.GetValueOrDefault(InstanceTags.NodeClaim),
            ProvisionerName = tags.GetValueOrDefault(InstanceTags.ProvisionerName),
            Tags = tags,
        };
    }
}
