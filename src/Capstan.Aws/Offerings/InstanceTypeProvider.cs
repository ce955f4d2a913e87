using Amazon.EC2;
using Amazon.EC2.Model;
using Capstan.Aws.Catalog;
using Capstan.Aws.Clients;
using Capstan.Aws.Conversions;
using Capstan.Aws.Discovery;
using Capstan.Aws.Pricing;
using Capstan.Core.Cloud;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Provisioning;
using Capstan.Core.Scheduling;
using Microsoft.Extensions.Logging;
using InstanceType = Capstan.Core.InstanceTypes.InstanceType;

namespace Capstan.Aws.Offerings;

/// <summary>
/// The instance types a node template can launch as: EC2's records (<c>DescribeInstanceTypes</c>, every page)
/// merged with the built-in catalog, offered where <c>DescribeInstanceTypeOfferings</c> says so in the zones of the
/// template's subnets, priced from the spot price history and the Price List (the catalog when that fails), and
/// marked unavailable where <see cref="UnavailableOfferings"/> says so. Types without a price are left out.
/// EC2 records and offerings are kept 5 minutes; merged types too, with only availability recomputed when the
/// unavailable-offerings cache changes.
/// </summary>
public sealed class InstanceTypeProvider
{
    public static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);
    private const int MaxMergedEntries = 64;

    private readonly IAmazonEC2 _ec2;
    private readonly TemplateResolver _resolver;
    private readonly SpotPrices _spot;
    private readonly OnDemandPrices _onDemand;
    private readonly AwsPipelines _pipelines;
    private readonly UnavailableOfferings _unavailable;
    private readonly TimeProvider _time;
    private readonly ILogger<InstanceTypeProvider> _logger;
    private readonly InstanceCatalog _catalog;
    private readonly TtlCache<IReadOnlyList<InstanceTypeInfo>> _infos;
    private readonly TtlCache<IReadOnlyDictionary<string, IReadOnlyList<string>>> _offered;
    private readonly Dictionary<(string Zones, KubeletSettings Kubelet), Merged> _merged = [];
    private readonly Lock _gate = new();

    public InstanceTypeProvider(
        IAmazonEC2 ec2, TemplateResolver resolver, SpotPrices spot, OnDemandPrices onDemand, AwsPipelines pipelines, AwsOptions options,
        UnavailableOfferings unavailable, TimeProvider time, ILogger<InstanceTypeProvider> logger, InstanceCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(ec2);
        ArgumentNullException.ThrowIfNull(options);
        _ec2 = ec2;
        _resolver = resolver;
        _spot = spot;
        _onDemand = onDemand;
        _pipelines = pipelines;
        _unavailable = unavailable;
        _time = time;
        _logger = logger;
        _catalog = catalog ?? InstanceCatalog.BuiltIn;
        Region = !string.IsNullOrWhiteSpace(options.Region) ? options.Region.Trim()
            : ec2.Config.RegionEndpoint?.SystemName ?? ec2.Config.AuthenticationRegion ?? InstanceCatalog.DefaultRegion;
        _infos = new(Ttl, time);
        _offered = new(Ttl, time);
    }

    /// <summary>The region the types are labelled with.</summary>
    public string Region { get; }

    /// <summary>Records asked for a <c>DescribeInstanceTypes</c> page (5-100).</summary>
    public int InstanceTypesPageSize { get; init; } = 100;

    /// <summary>Records asked for a <c>DescribeInstanceTypeOfferings</c> page (5-1000).</summary>
    public int OfferingsPageSize { get; init; } = 1000;

    public async Task<IReadOnlyList<InstanceType>> GetInstanceTypesAsync(NodeTemplate nodeTemplate, KubeletSettings kubelet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodeTemplate);
        ArgumentNullException.ThrowIfNull(kubelet);
        var subnets = await _resolver.SubnetsAsync(nodeTemplate, cancellationToken);
        return await GetInstanceTypesAsync([.. subnets.Select(s => s.Zone).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], kubelet, cancellationToken);
    }

    /// <summary>
    /// The types offered in the given zones (an Auto Scaling group's, say, which names its zones itself), built and
    /// cached exactly as for a node template's subnets.
    /// </summary>
    public async Task<IReadOnlyList<InstanceType>> GetInstanceTypesAsync(IReadOnlyList<string> zones, KubeletSettings kubelet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zones);
        ArgumentNullException.ThrowIfNull(kubelet);
        zones = [.. zones.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var infos = await _infos.GetOrLoadAsync("all", ReadInstanceTypesAsync, cancellationToken);
        var zoneKey = string.Join(",", zones);
        var offered = await _offered.GetOrLoadAsync(zoneKey, ct => ReadOfferingsAsync(zones, ct), cancellationToken);
        var spot = await _spot.GetAsync(cancellationToken);
        var onDemand = await _onDemand.GetAsync(cancellationToken);

        Merged? merged;
        lock (_gate)
        {
            _merged.TryGetValue((zoneKey, kubelet), out merged);
        }

        if (merged is null || !ReferenceEquals(merged.Infos, infos) || !ReferenceEquals(merged.Offered, offered)
            || !ReferenceEquals(merged.Spot, spot) || !ReferenceEquals(merged.OnDemand, onDemand))
        {
            var types = Build(infos, offered, zones, spot, onDemand, kubelet);
            merged = new Merged(infos, offered, spot, onDemand, types, _unavailable.Version, AvailabilityValidUntil());
            if (_logger.IsEnabled(LogLevel.Information))
            {
                _logger.ReadInstanceTypesRefreshed(types.Count, zoneKey, types.Sum(t => t.Offerings.Count));
            }
        }
        else if (merged.UnavailableVersion != _unavailable.Version || _time.GetUtcNow() >= merged.AvailabilityValidUntil)
        {
            merged = merged with
            {
                Types = WithAvailability(merged.Types),
                UnavailableVersion = _unavailable.Version,
                AvailabilityValidUntil = AvailabilityValidUntil(),
            };
        }
        else
        {
            return merged.Types;
        }

        lock (_gate)
        {
            // Kubelet settings compare by value except their eviction map; callers that build equal settings anew
            // must not grow this without bound.
            if (_merged.Count >= MaxMergedEntries && !_merged.ContainsKey((zoneKey, kubelet)))
            {
                _merged.Clear();
            }

            _merged[(zoneKey, kubelet)] = merged;
        }

        return merged.Types;
    }

    /// <summary>Drops the cached EC2 records, offerings and merged types, reads spot prices again, then builds the types afresh.</summary>
    public async Task<IReadOnlyList<InstanceType>> RefreshAsync(NodeTemplate nodeTemplate, KubeletSettings kubelet, CancellationToken cancellationToken)
    {
        _infos.Clear();
        _offered.Clear();
        lock (_gate)
        {
            _merged.Clear();
        }

        await _spot.RefreshAsync(cancellationToken);
        return await GetInstanceTypesAsync(nodeTemplate, kubelet, cancellationToken);
    }

    /// <summary>
    /// The merge itself, with no I/O (what a refresh costs beyond the calls): each EC2 record converted (the catalog
    /// filling gaps), offered in the given zones where EC2 offers it, on demand at the price book's price and spot at
    /// the zone's spot price, availability from the unavailable-offerings cache.
    /// </summary>
    public IReadOnlyList<InstanceType> Build(
        IReadOnlyList<InstanceTypeInfo> infos, IReadOnlyDictionary<string, IReadOnlyList<string>> offeredZones, IReadOnlyList<string> zones,
        SpotPriceSnapshot spot, PriceBook onDemand, KubeletSettings kubelet)
    {
        ArgumentNullException.ThrowIfNull(infos);
        ArgumentNullException.ThrowIfNull(offeredZones);
        ArgumentNullException.ThrowIfNull(zones);
        ArgumentNullException.ThrowIfNull(spot);
        ArgumentNullException.ThrowIfNull(onDemand);
        var wanted = zones.ToHashSet(StringComparer.Ordinal);
        var types = new List<InstanceType>(infos.Count);
        foreach (var info in infos)
        {
            var name = info.InstanceType?.Value;
            if (name is null || !offeredZones.TryGetValue(name, out var where))
            {
                continue;
            }

            _catalog.Specs.TryGetValue(name, out var known);
            var spec = InstanceTypeConversions.ToSpec(info, known);
            if (spec.VCpu <= 0 || spec.MemoryMiB <= 0)
            {
                continue;
            }

            var offerings = new List<Offering>(where.Count * 2);
            var onDemandSold = InstanceTypeConversions.OnDemandSupported(info);
            var hasOnDemandPrice = onDemand.PricePerHour.TryGetValue(name, out var onDemandPrice);
            foreach (var zone in where)
            {
                if (!wanted.Contains(zone))
                {
                    continue;
                }

                if (onDemandSold && hasOnDemandPrice)
                {
                    offerings.Add(new Offering(zone, Labels.CapacityTypeOnDemand, onDemandPrice, Available(Labels.CapacityTypeOnDemand, name, zone)));
                }

                if (spec.SpotSupported)
                {
                    if (spot.TryGet(name, zone, out var spotPrice))
                    {
                        offerings.Add(new Offering(zone, Labels.CapacityTypeSpot, spotPrice, Available(Labels.CapacityTypeSpot, name, zone)));
                    }
                    else if (spot.Failed && hasOnDemandPrice)
                    {
                        var estimate = Math.Round(onDemandPrice * InstanceCatalog.SpotFraction(name, zone), 6);
                        offerings.Add(new Offering(zone, Labels.CapacityTypeSpot, estimate, Available(Labels.CapacityTypeSpot, name, zone)) { PriceIsEstimate = true });
                    }
                }
            }

            if (offerings.Count > 0)
            {
                types.Add(InstanceTypeFactory.Create(spec with { Zones = [.. offerings.Select(o => o.Zone).Distinct(StringComparer.Ordinal)] }, offerings, kubelet, Region));
            }
        }

        types.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return types;
    }

    private async Task<IReadOnlyList<InstanceTypeInfo>> ReadInstanceTypesAsync(CancellationToken cancellationToken)
    {
        var infos = new List<InstanceTypeInfo>();
        string? next = null;
        do
        {
            var request = new DescribeInstanceTypesRequest { MaxResults = InstanceTypesPageSize, NextToken = next };
            var page = await AwsPipelines.RunAsync(_pipelines.Idempotent("EC2"), "EC2", "DescribeInstanceTypes", t => _ec2.DescribeInstanceTypesAsync(request, t), cancellationToken);
            infos.AddRange(page.InstanceTypes ?? []);
            next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (next is not null);

        if (infos.Count == 0)
        {
            throw new CloudProviderException("DescribeInstanceTypes", "NoInstanceTypes", $"EC2 listed no instance types in region {Region}", retryable: true);
        }

        return infos;
    }

    private async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ReadOfferingsAsync(IReadOnlyList<string> zones, CancellationToken cancellationToken)
    {
        var byType = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        string? next = null;
        do
        {
            var request = new DescribeInstanceTypeOfferingsRequest
            {
                LocationType = LocationType.AvailabilityZone,
                Filters = [new Amazon.EC2.Model.Filter("location", [.. zones])],
                MaxResults = OfferingsPageSize,
                NextToken = next,
            };
            var page = await AwsPipelines.RunAsync(_pipelines.Idempotent("EC2"), "EC2", "DescribeInstanceTypeOfferings", t => _ec2.DescribeInstanceTypeOfferingsAsync(request, t), cancellationToken);
            foreach (var offering in page.InstanceTypeOfferings ?? [])
            {
                if (offering.InstanceType?.Value is { Length: > 0 } type && !string.IsNullOrEmpty(offering.Location))
                {
                    if (!byType.TryGetValue(type, out var list))
                    {
                        byType[type] = list = [];
                    }

                    if (!list.Contains(offering.Location, StringComparer.Ordinal))
                    {
                        list.Add(offering.Location);
                    }
                }
            }

            next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (next is not null);

        return byType.ToDictionary(b => b.Key, b => (IReadOnlyList<string>)[.. b.Value.Order(StringComparer.Ordinal)], StringComparer.Ordinal);
    }

    private bool Available(string capacityType, string instanceType, string zone) => !_unavailable.IsUnavailable(capacityType, instanceType, zone);

    private List<InstanceType> WithAvailability(IReadOnlyList<InstanceType> types)
    {
        var result = new List<InstanceType>(types.Count);
        foreach (var type in types)
        {
            var changed = false;
            var offerings = new Offering[type.Offerings.Count];
            for (var i = 0; i < offerings.Length; i++)
            {
                var o = type.Offerings[i];
                var available = Available(o.CapacityType, type.Name, o.Zone);
                changed |= available != o.Available;
                offerings[i] = available == o.Available ? o : o with { Available = available };
            }

            result.Add(changed ? new InstanceType(type.Name, type.Requirements, type.Capacity, type.Overhead, offerings) : type);
        }

        return result;
    }

    /// <summary>When the earliest unavailable offering expires (availability must be computed again then).</summary>
    private DateTimeOffset AvailabilityValidUntil()
    {
        var current = _unavailable.Current();
        return current.Count == 0 ? DateTimeOffset.MaxValue : current.Min(c => c.Until);
    }

    private sealed record Merged(
        IReadOnlyList<InstanceTypeInfo> Infos, IReadOnlyDictionary<string, IReadOnlyList<string>> Offered, SpotPriceSnapshot Spot, PriceBook OnDemand,
        IReadOnlyList<InstanceType> Types, long UnavailableVersion, DateTimeOffset AvailabilityValidUntil);
}
