using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.EC2.Model;
using Capstan.Core.InstanceTypes;

namespace Capstan.Aws.Conversions;

/// <summary>
/// EC2's <c>InstanceTypeInfo</c> to Core's <see cref="InstanceTypeSpec"/>. EC2 is the source of the facts it
/// publishes (vCPUs, memory, architecture, GPUs, accelerators, ENIs, storage, hypervisor, usage classes); the
/// built-in catalog's entry fills in what EC2 does not say (trunk branch ENIs, the network bandwidth table,
/// Neuron cores of older records), and the name gives category, family, generation and size.
/// </summary>
public static partial class InstanceTypeConversions
{
    /// <summary>The spec for one EC2 record, with <paramref name="catalog"/> (the same type in the built-in catalog) filling gaps.</summary>
    public static InstanceTypeSpec ToSpec(InstanceTypeInfo info, InstanceTypeSpec? catalog)
    {
        ArgumentNullException.ThrowIfNull(info);
        var name = info.InstanceType?.Value ?? throw new ArgumentException("the record names no instance type", nameof(info));
        var (category, family, generation, size) = ParseName(name);
        var network = info.NetworkInfo;
        var defaultCard = network?.NetworkCards?.FirstOrDefault(c => c.NetworkCardIndex == (network.DefaultNetworkCardIndex ?? 0));
        var gpus = info.GpuInfo?.Gpus ?? [];
        var firstGpu = gpus.FirstOrDefault();
        var neuron = info.NeuronInfo?.NeuronDevices ?? [];
        var inference = info.InferenceAcceleratorInfo?.Accelerators ?? [];
        var architectures = info.ProcessorInfo?.SupportedArchitectures ?? [];
        var usage = info.SupportedUsageClasses ?? [];
        var bandwidthGbps = defaultCard?.BaselineBandwidthInGbps;

        var (acceleratorCount, acceleratorManufacturer, acceleratorName, neuronCores) = neuron.Count > 0
            ? (neuron.Sum(d => d.Count ?? 0), "AWS", neuron[0].Name, neuron.Sum(d => (d.Count ?? 0) * (d.CoreInfo?.Count ?? 0)))
            : inference.Count > 0
                ? (inference.Sum(a => a.Count ?? 0), inference[0].Manufacturer, inference[0].Name, catalog?.NeuronCoreCount ?? 0)
                : (catalog?.AcceleratorCount ?? 0, catalog?.AcceleratorManufacturer, catalog?.AcceleratorName, catalog?.NeuronCoreCount ?? 0);

        return new InstanceTypeSpec
        {
            Name = name,
            Category = catalog?.Category ?? category,
            Family = catalog?.Family ?? family,
            Generation = catalog?.Generation ?? generation,
            Size = catalog?.Size ?? size,
            Architecture = architectures.Contains("arm64") ? "arm64" : architectures.Contains("x86_64") ? "amd64" : catalog?.Architecture ?? "amd64",
            VCpu = info.VCpuInfo?.DefaultVCpus ?? catalog?.VCpu ?? 0,
            MemoryMiB = info.MemoryInfo?.SizeInMiB ?? catalog?.MemoryMiB ?? 0,
            GpuCount = gpus.Sum(g => g.Count ?? 0),
            GpuManufacturer = firstGpu?.Manufacturer,
            GpuName = firstGpu?.Name,
            GpuMemoryMiB = firstGpu?.MemoryInfo?.SizeInMiB ?? 0,
            AcceleratorCount = acceleratorCount,
            AcceleratorManufacturer = acceleratorManufacturer,
            AcceleratorName = acceleratorName,
            NeuronCoreCount = neuronCores,
            LocalNvmeGiB = info.InstanceStorageInfo?.TotalSizeInGB ?? 0,
            Hypervisor = string.IsNullOrEmpty(info.Hypervisor?.Value) ? null : info.Hypervisor.Value,
            BareMetal = info.BareMetal ?? false,
            Burstable = info.BurstablePerformanceSupported ?? false,
            CurrentGeneration = info.CurrentGeneration ?? catalog?.CurrentGeneration ?? true,
            MaxEnis = defaultCard?.MaximumNetworkInterfaces ?? network?.MaximumNetworkInterfaces ?? catalog?.MaxEnis ?? 1,
            Ipv4PerEni = network?.Ipv4AddressesPerInterface ?? catalog?.Ipv4PerEni ?? 1,
            MaxEfaInterfaces = network?.EfaInfo?.MaximumEfaInterfaces ?? 0,
            BranchEnis = catalog?.BranchEnis ?? 0,
            NetworkBandwidthMbps = catalog is { NetworkBandwidthMbps: > 0 } ? catalog.NetworkBandwidthMbps
                : bandwidthGbps is { } gbps ? (long)Math.Round(gbps * 1000) : 0,
            SpotSupported = usage.Contains("spot"),
            OnDemandPricePerHour = catalog?.OnDemandPricePerHour ?? 0,
            Zones = [],
        };
    }

    /// <summary>True when EC2 sells the type on demand (its supported usage classes).</summary>
    public static bool OnDemandSupported(InstanceTypeInfo info) =>
        (info ?? throw new ArgumentNullException(nameof(info))).SupportedUsageClasses is not { } classes || classes.Contains("on-demand");

    /// <summary>
    /// Category, family, generation and size from a name (<c>m5.large</c>: m, m5, 5, large;
    /// <c>u-6tb1.56xlarge</c>: u, u-6tb1, 1, 56xlarge), as Karpenter reads them.
    /// </summary>
    public static (string Category, string Family, int Generation, string Size) ParseName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var family = dot < 0 ? name : name[..dot];
        var size = dot < 0 ? "" : name[(dot + 1)..];
        var match = NameScheme().Match(family);
        if (!match.Success)
        {
            return (family, family, 0, size);
        }

        return (match.Groups[1].Value, family, int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture), size);
    }

    [GeneratedRegex(@"^([a-z]+)(-[0-9]+tb)?([0-9]+)")]
    private static partial Regex NameScheme();
}
