using System.Globalization;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;

namespace Capstan.Core.InstanceTypes;

/// <summary>Turns instance-type facts and offerings into the <see cref="InstanceType"/> the packer uses.</summary>
public static class InstanceTypeFactory
{
    public static InstanceType Create(InstanceTypeSpec spec, IReadOnlyList<Offering> offerings, KubeletSettings? kubelet = null, string? region = null)
    {
        kubelet ??= KubeletSettings.Default;
        var capacity = AllocatableCalculator.Capacity(spec, kubelet);
        var overhead = AllocatableCalculator.Overhead(spec, kubelet, capacity);
        return new InstanceType(spec.Name, Requirements(spec, offerings, region, (int)capacity.Pods.Value), capacity, overhead, offerings);
    }

    /// <summary>The well-known labels a node of this type carries, as requirements.</summary>
    public static Requirements Requirements(InstanceTypeSpec spec, IReadOnlyList<Offering> offerings, string? region, int pods)
    {
        var list = new List<Requirement>
        {
            Requirement.In(Labels.InstanceType, spec.Name),
            Requirement.In(Labels.Arch, spec.Architecture),
            Requirement.In(Labels.Os, "linux"),
            Requirement.In(Labels.Zone, [.. offerings.Select(o => o.Zone).Distinct()]),
            Requirement.In(Labels.CapacityType, [.. offerings.Select(o => o.CapacityType).Distinct()]),
            Requirement.In(Labels.InstanceCategory, spec.Category),
            Requirement.In(Labels.InstanceFamily, spec.Family),
            Requirement.In(Labels.InstanceGeneration, Text(spec.Generation)),
            Requirement.In(Labels.InstanceSize, spec.Size),
            Requirement.In(Labels.InstanceCpu, Text(spec.VCpu)),
            Requirement.In(Labels.InstanceMemory, Text(spec.MemoryMiB)),
            Requirement.In(Labels.InstancePods, Text(pods)),
            Optional(Labels.InstanceNetworkBandwidth, spec.NetworkBandwidthMbps > 0 ? Text(spec.NetworkBandwidthMbps) : null),
            Optional(Labels.InstanceHypervisor, spec.Hypervisor),
            Optional(Labels.InstanceLocalNvme, spec.LocalNvmeGiB > 0 ? Text(spec.LocalNvmeGiB) : null),
            Optional(Labels.InstanceGpuName, spec.GpuCount > 0 ? spec.GpuName?.ToLowerInvariant() : null),
            Optional(Labels.InstanceGpuManufacturer, spec.GpuCount > 0 ? spec.GpuManufacturer?.ToLowerInvariant() : null),
            Optional(Labels.InstanceGpuCount, spec.GpuCount > 0 ? Text(spec.GpuCount) : null),
            Optional(Labels.InstanceGpuMemory, spec.GpuCount > 0 ? Text(spec.GpuMemoryMiB) : null),
        };
        if (region is not null)
        {
            list.Add(Requirement.In(Labels.Region, region));
        }

        return Scheduling.Requirements.Create(list);
    }

    private static Requirement Optional(string key, string? value) =>
        value is null ? Requirement.DoesNotExist(key) : Requirement.In(key, value);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
