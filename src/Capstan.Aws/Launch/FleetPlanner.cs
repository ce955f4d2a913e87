using Capstan.Aws.Discovery;
using Capstan.Aws.Offerings;
using Capstan.Core.Cloud;
using Capstan.Core.InstanceTypes;
using Capstan.Core.Scheduling;

namespace Capstan.Aws.Launch;

/// <summary>
/// Turns a claim's ranked options into CreateFleet overrides (as Karpenter's AWS provider launches): the capacity type (spot
/// when the claim allows it and some option has a spot offering available in an allowed zone, else on-demand), one
/// subnet per allowed zone (the one with the most free addresses), only offerings available now, no spot offering
/// dearer than the cheapest on-demand one, at most <see cref="MaxOverrides"/>.
/// </summary>
public static class FleetPlanner
{
    /// <summary>The most overrides one CreateFleet call carries (Karpenter's <c>maxInstanceTypes</c>).</summary>
    public const int MaxOverrides = 60;

    public static FleetPlan Plan(LaunchRequest request, ResolvedTemplate template, UnavailableOfferings unavailable)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(unavailable);

        var zoneRequirement = request.Requirements.Get(Labels.Zone);
        var subnets = new Dictionary<string, SubnetInfo>(StringComparer.Ordinal);
        foreach (var subnet in template.Subnets)
        {
            if (zoneRequirement is not null && !zoneRequirement.Allows(subnet.Zone))
            {
                continue;
            }

            if (!subnets.TryGetValue(subnet.Zone, out var best) || subnet.AvailableIpAddresses > best.AvailableIpAddresses)
            {
                subnets[subnet.Zone] = subnet;
            }
        }

        var zones = template.Subnets.Select(s => s.Zone).Distinct(StringComparer.Ordinal).Where(subnets.ContainsKey).ToList();
        var capacityRequirement = request.Requirements.Get(Labels.CapacityType);
        var spotAllowed = capacityRequirement is null || capacityRequirement.Allows(Labels.CapacityTypeSpot);
        var onDemandAllowed = !request.SpotOnly && (capacityRequirement is null || capacityRequirement.Allows(Labels.CapacityTypeOnDemand));

        bool Usable(InstanceType type, Offering offering) =>
            offering.Available && !unavailable.IsUnavailable(offering.CapacityType, type.Name, offering.Zone);

        Offering? Find(InstanceType type, string zone, string capacityType) =>
            type.Offerings.FirstOrDefault(o => o.Zone == zone && o.CapacityType == capacityType);

        var anySpot = spotAllowed && request.InstanceTypes.Any(t => zones.Any(z => Find(t, z, Labels.CapacityTypeSpot) is { } o && Usable(t, o)));
        var capacityType = anySpot ? Labels.CapacityTypeSpot : onDemandAllowed ? Labels.CapacityTypeOnDemand : null;
        if (capacityType is null)
        {
            return new FleetPlan
            {
                CapacityType = spotAllowed ? Labels.CapacityTypeSpot : Labels.CapacityTypeOnDemand,
                Overrides = [],
                Excluded = Exclusions(request, zones, spotAllowed ? Labels.CapacityTypeSpot : Labels.CapacityTypeOnDemand, unavailable, Find),
            };
        }

        // Spot dearer than the cheapest on-demand option is never worth its interruptions.
        var cheapestOnDemand = double.PositiveInfinity;
        if (capacityType == Labels.CapacityTypeSpot)
        {
            foreach (var type in request.InstanceTypes)
            {
                foreach (var zone in zones)
                {
                    if (Find(type, zone, Labels.CapacityTypeOnDemand) is { } o && Usable(type, o) && o.PricePerHour < cheapestOnDemand)
                    {
                        cheapestOnDemand = o.PricePerHour;
                    }
                }
            }
        }

        var overrides = new List<FleetOverride>();
        foreach (var type in request.InstanceTypes)
        {
            var amiKey = AmiKey(type, template);
            var maxPods = MaxPods(type, request);
            foreach (var zone in zones)
            {
                if (overrides.Count == MaxOverrides)
                {
                    break;
                }

                if (Find(type, zone, capacityType) is not { } offering || !Usable(type, offering)
                    || (capacityType == Labels.CapacityTypeSpot && offering.PricePerHour > cheapestOnDemand))
                {
                    continue;
                }

                overrides.Add(new FleetOverride(type.Name, subnets[zone].SubnetId, zone, offering.PricePerHour, amiKey, maxPods));
            }
        }

        return new FleetPlan
        {
            CapacityType = capacityType,
            Overrides = overrides,
            Excluded = overrides.Count == 0 ? Exclusions(request, zones, capacityType, unavailable, Find) : [],
        };
    }

    /// <summary>
    /// The key of the AMI a type launches with: its architecture, with <c>-nvidia</c> for NVIDIA GPU types when the
    /// template resolved a separate AMI for them.
    /// </summary>
    public static string AmiKey(InstanceType type, ResolvedTemplate template)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(template);
        var arch = type.Requirements.Get(Labels.Arch)?.SingleValue ?? "amd64";
        var gpu = type.Requirements.Get(Labels.InstanceGpuManufacturer)?.SingleValue;
        if (gpu is not null)
        {
            var variant = $"{arch}-{gpu}";
            if (template.Amis.ContainsKey(variant))
            {
                return variant;
            }
        }

        return arch;
    }

    /// <summary>The kubelet's max-pods on this type: the kubelet setting, else the type's pod capacity (ENI-limited density).</summary>
    public static int MaxPods(InstanceType type, LaunchRequest request)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(request);
        return request.Kubelet.MaxPods ?? (int)type.Capacity.Pods.Value;
    }

    private static List<OfferingFailure> Exclusions(
        LaunchRequest request, List<string> zones, string capacityType, UnavailableOfferings unavailable, Func<InstanceType, string, string, Offering?> find)
    {
        var excluded = new List<OfferingFailure>();
        foreach (var type in request.InstanceTypes)
        {
            foreach (var zone in zones)
            {
                if (excluded.Count == MaxOverrides)
                {
                    return excluded;
                }

                // Offerings that do not exist were never a choice: only those that exist and were left out are reported.
                if (find(type, zone, capacityType) is not { } offering)
                {
                    continue;
                }

                var (code, message) = offering switch
                {
                    _ when unavailable.IsUnavailable(capacityType, type.Name, zone) =>
                        ("RecentlyUnavailable", $"{type.Name} {capacityType} in {zone} recently had no capacity"),
                    { Available: false } => ("OfferingUnavailable", $"{type.Name} {capacityType} in {zone} is unavailable"),
                    _ => ("PricierThanOnDemand", $"{type.Name} {capacityType} in {zone} costs more than on-demand"),
                };
                excluded.Add(new OfferingFailure(type.Name, zone, capacityType, code, message));
            }
        }

        return excluded;
    }
}
