using System.Collections.Frozen;
using System.Text.Json;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;

namespace Capstan.Aws.Catalog;

/// <summary>
/// The offline EC2 instance-type catalog (us-east-1, from public sources; see catalog-sources.md):
/// facts and on-demand prices, with spot prices estimated where no live price is known. Loaded once
/// into frozen lookups. It is the default for <c>capstan plan</c> and the sandbox, and the price
/// fallback in production.
/// </summary>
public sealed class InstanceCatalog
{
    public const string DefaultRegion = "us-east-1";
    private const string ResourceName = "Capstan.Aws.Catalog.instance-types.json";

    private static readonly Lazy<InstanceCatalog> s_builtIn = new(() =>
    {
        using var stream = typeof(InstanceCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded catalog {ResourceName} is missing");
        return Load(stream, "built-in catalog");
    });

    private InstanceCatalog(string region, FrozenDictionary<string, InstanceTypeSpec> specs, FrozenDictionary<string, IReadOnlyList<Offering>> offerings)
    {
        Region = region;
        Specs = specs;
        OfferingsByType = offerings;
    }

    /// <summary>The catalog shipped inside Capstan.Aws.</summary>
    public static InstanceCatalog BuiltIn => s_builtIn.Value;

    public string Region { get; }

    public FrozenDictionary<string, InstanceTypeSpec> Specs { get; }

    /// <summary>Zone x capacity type offerings of each type (spot prices estimated, flagged as such).</summary>
    public FrozenDictionary<string, IReadOnlyList<Offering>> OfferingsByType { get; }

    public int Count => Specs.Count;

    /// <summary>Reads a catalog file; the exception names the source and the problem.</summary>
    public static InstanceCatalog Load(Stream json, string sourceName, string region = DefaultRegion)
    {
        ArgumentNullException.ThrowIfNull(json);
        List<CatalogEntry>? entries;
        try
        {
            // From memory in one go: the stream reader's read-ahead scans a 2 MB array again for each buffer it fills.
            using var bytes = new MemoryStream();
            json.CopyTo(bytes);
            entries = JsonSerializer.Deserialize(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), CatalogJsonContext.Default.ListCatalogEntry);
        }
        catch (JsonException ex)
        {
            // The serializer's own message names .NET types: say where, in the file's terms.
            var at = ex.LineNumber is { } line ? $" (line {line + 1}{(string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : $", at {ex.Path}")})" : "";
            throw new InvalidDataException($"{sourceName}: not an instance-type catalog: a value is not what the catalog format expects{at}", ex);
        }

        if (entries is null || entries.Count == 0)
        {
            throw new InvalidDataException($"{sourceName}: the catalog lists no instance types");
        }

        var specs = new Dictionary<string, InstanceTypeSpec>(StringComparer.Ordinal);
        var offerings = new Dictionary<string, IReadOnlyList<Offering>>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (string.IsNullOrEmpty(e.Name) || e.VCpu <= 0 || e.MemoryMiB <= 0)
            {
                throw new InvalidDataException($"{sourceName}: entry '{e.Name}' lacks a name, vcpu or memory");
            }

            var spec = ToSpec(e);
            specs[spec.Name] = spec;
            offerings[spec.Name] = e.CurrentlyOffered && e.OnDemandPriceUsdPerHour is > 0 ? Offerings(spec) : [];
        }

        return new InstanceCatalog(region, specs.ToFrozenDictionary(StringComparer.Ordinal), offerings.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public static InstanceCatalog LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Instance types with their allocatable computed for the given kubelet settings; types with no offering are left out.</summary>
    public IReadOnlyList<InstanceType> InstanceTypes(KubeletSettings? kubelet = null)
    {
        var list = new List<InstanceType>(Specs.Count);
        foreach (var (name, spec) in Specs.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var offers = OfferingsByType[name];
            if (offers.Count > 0)
            {
                list.Add(InstanceTypeFactory.Create(spec, offers, kubelet, Region));
            }
        }

        return list;
    }

    /// <summary>
    /// On-demand in every zone at the catalog price; spot (where supported) at a deterministic estimate
    /// between 35% and 50% of on-demand, derived from a stable hash of (type, zone).
    /// </summary>
    public static IReadOnlyList<Offering> Offerings(InstanceTypeSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var list = new List<Offering>(spec.Zones.Count * 2);
        foreach (var zone in spec.Zones)
        {
            list.Add(new Offering(zone, Labels.CapacityTypeOnDemand, spec.OnDemandPricePerHour));
            if (spec.SpotSupported)
            {
                var price = Math.Round(spec.OnDemandPricePerHour * SpotFraction(spec.Name, zone), 6);
                list.Add(new Offering(zone, Labels.CapacityTypeSpot, price) { PriceIsEstimate = true });
            }
        }

        return list;
    }

    /// <summary>A stable fraction in [0.35, 0.50] for (type, zone): FNV-1a over the bytes of "type/zone".</summary>
    public static double SpotFraction(string instanceType, string zone)
    {
        ArgumentNullException.ThrowIfNull(instanceType);
        ArgumentNullException.ThrowIfNull(zone);
        var hash = 2166136261u;
        foreach (var c in instanceType + "/" + zone)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return 0.35 + (hash % 1501u / 10000.0);
    }

    private static InstanceTypeSpec ToSpec(CatalogEntry e) => new()
    {
        Name = e.Name,
        Family = e.Family,
        Category = e.Category,
        Generation = e.Generation,
        Size = e.Size,
        Architecture = e.Architecture,
        VCpu = e.VCpu,
        MemoryMiB = e.MemoryMiB,
        GpuCount = e.GpuCount,
        GpuManufacturer = e.GpuManufacturer,
        GpuName = e.GpuName,
        GpuMemoryMiB = e.GpuMemoryMiB,
        AcceleratorCount = e.AcceleratorCount,
        AcceleratorManufacturer = e.AcceleratorManufacturer,
        AcceleratorName = e.AcceleratorName,
        NeuronCoreCount = e.NeuronCoreCount,
        LocalNvmeGiB = e.LocalNvmeGiB,
        Hypervisor = e.Hypervisor,
        BareMetal = e.BareMetal,
        Burstable = e.Burstable,
        CurrentGeneration = e.CurrentGeneration,
        MaxEnis = e.MaxEnis,
        Ipv4PerEni = e.Ipv4PerEni,
        MaxEfaInterfaces = e.MaxEfaInterfaces,
        BranchEnis = e.BranchEnis,
        NetworkBandwidthMbps = e.NetworkBandwidthMbps ?? 0,
        SpotSupported = e.SpotSupported,
        OnDemandPricePerHour = e.OnDemandPriceUsdPerHour ?? 0,
        Zones = e.Zones,
    };
}
