namespace Capstan.Core.InstanceTypes;

/// <summary>The published facts about an instance type (from a catalog or DescribeInstanceTypes).</summary>
public sealed record InstanceTypeSpec
{
    public required string Name { get; init; }

    public required string Family { get; init; }

    public required string Category { get; init; }

    public required int Generation { get; init; }

    public required string Size { get; init; }

    /// <summary>Kubernetes architecture name: amd64 or arm64.</summary>
    public required string Architecture { get; init; }

    public required int VCpu { get; init; }

    public required long MemoryMiB { get; init; }

    public int GpuCount { get; init; }

    public string? GpuManufacturer { get; init; }

    public string? GpuName { get; init; }

    public long GpuMemoryMiB { get; init; }

    public int AcceleratorCount { get; init; }

    public string? AcceleratorManufacturer { get; init; }

    public string? AcceleratorName { get; init; }

    public int NeuronCoreCount { get; init; }

    public long LocalNvmeGiB { get; init; }

    public string? Hypervisor { get; init; }

    public bool BareMetal { get; init; }

    public bool Burstable { get; init; }

    public bool CurrentGeneration { get; init; } = true;

    /// <summary>ENIs on the default network card.</summary>
    public required int MaxEnis { get; init; }

    public required int Ipv4PerEni { get; init; }

    public int MaxEfaInterfaces { get; init; }

    public int BranchEnis { get; init; }

    public long NetworkBandwidthMbps { get; init; }

    public bool SpotSupported { get; init; } = true;

    public double OnDemandPricePerHour { get; init; }

    public IReadOnlyList<string> Zones { get; init; } = [];

    /// <summary>ENIs x (IPv4 per ENI - 1) + 2, the VPC CNI's pod density.</summary>
    public int EniLimitedPods => (MaxEnis * (Ipv4PerEni - 1)) + 2;
}
