using System.Text.Json.Serialization;

namespace Capstan.Aws.Catalog;

/// <summary>One object of <c>instance-types.json</c> (the fields Capstan uses).</summary>
internal sealed class CatalogEntry
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("family")]
    public string Family { get; set; } = "";

    [JsonPropertyName("category")]
    public string Category { get; set; } = "";

    [JsonPropertyName("generation")]
    public int Generation { get; set; }

    [JsonPropertyName("size")]
    public string Size { get; set; } = "";

    [JsonPropertyName("architecture")]
    public string Architecture { get; set; } = "";

    [JsonPropertyName("vcpu")]
    public int VCpu { get; set; }

    [JsonPropertyName("memoryMiB")]
    public long MemoryMiB { get; set; }

    [JsonPropertyName("gpuCount")]
    public int GpuCount { get; set; }

    [JsonPropertyName("gpuManufacturer")]
    public string? GpuManufacturer { get; set; }

    [JsonPropertyName("gpuName")]
    public string? GpuName { get; set; }

    [JsonPropertyName("gpuMemoryMiB")]
    public long GpuMemoryMiB { get; set; }

    [JsonPropertyName("acceleratorCount")]
    public int AcceleratorCount { get; set; }

    [JsonPropertyName("acceleratorManufacturer")]
    public string? AcceleratorManufacturer { get; set; }

    [JsonPropertyName("acceleratorName")]
    public string? AcceleratorName { get; set; }

    [JsonPropertyName("neuronCoreCount")]
    public int NeuronCoreCount { get; set; }

    [JsonPropertyName("localNvmeGiB")]
    public long LocalNvmeGiB { get; set; }

    [JsonPropertyName("hypervisor")]
    public string? Hypervisor { get; set; }

    [JsonPropertyName("baremetal")]
    public bool BareMetal { get; set; }

    [JsonPropertyName("burstable")]
    public bool Burstable { get; set; }

    [JsonPropertyName("currentGeneration")]
    public bool CurrentGeneration { get; set; }

    [JsonPropertyName("maxEnis")]
    public int MaxEnis { get; set; }

    [JsonPropertyName("ipv4PerEni")]
    public int Ipv4PerEni { get; set; }

    [JsonPropertyName("maxEfaInterfaces")]
    public int MaxEfaInterfaces { get; set; }

    [JsonPropertyName("branchEnis")]
    public int BranchEnis { get; set; }

    [JsonPropertyName("networkBandwidthMbps")]
    public long? NetworkBandwidthMbps { get; set; }

    [JsonPropertyName("spotSupported")]
    public bool SpotSupported { get; set; }

    [JsonPropertyName("onDemandPriceUsdPerHour")]
    public double? OnDemandPriceUsdPerHour { get; set; }

    [JsonPropertyName("zones")]
    public List<string> Zones { get; set; } = [];

    [JsonPropertyName("currentlyOffered")]
    public bool CurrentlyOffered { get; set; }
}
