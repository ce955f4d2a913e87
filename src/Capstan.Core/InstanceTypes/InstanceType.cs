using Capstan.Core.Resources;
using Capstan.Core.Scheduling;

namespace Capstan.Core.InstanceTypes;

/// <summary>
/// An instance type as the packing core sees it: the labels it gives a node (as requirements),
/// its capacity, the part the kubelet and system keep (overhead), and its offerings.
/// </summary>
public sealed class InstanceType
{
    public InstanceType(string name, Requirements requirements, ResourceList capacity, ResourceList overhead, IReadOnlyList<Offering> offerings)
    {
        Name = name;
        Requirements = requirements;
        Capacity = capacity;
        Overhead = overhead;
        Offerings = offerings;
        Allocatable = capacity.Subtract(overhead);
    }

    public string Name { get; }

    public Requirements Requirements { get; }

    public ResourceList Capacity { get; }

    /// <summary>kube-reserved + system-reserved + eviction threshold.</summary>
    public ResourceList Overhead { get; }

    /// <summary>Capacity less overhead: what pods may request.</summary>
    public ResourceList Allocatable { get; }

    public IReadOnlyList<Offering> Offerings { get; }

    /// <summary>The cheapest available offering the requirements allow (zone and capacity type), or null.</summary>
    public Offering? CheapestOffering(Requirements requirements)
    {
        var zones = requirements.Get(Labels.Zone);
        var capacityTypes = requirements.Get(Labels.CapacityType);
        Offering? best = null;
        foreach (var o in Offerings)
        {
            if (!o.Available || (zones is not null && !zones.Allows(o.Zone)) || (capacityTypes is not null && !capacityTypes.Allows(o.CapacityType)))
            {
                continue;
            }

            if (best is null || o.PricePerHour < best.PricePerHour
                || (o.PricePerHour == best.PricePerHour && string.CompareOrdinal(o.Zone, best.Zone) < 0))
            {
                best = o;
            }
        }

        return best;
    }

    public override string ToString() => Name;
}
