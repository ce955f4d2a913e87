using Capstan.Aws.Catalog;
using Capstan.Core.Scheduling;

namespace Capstan.Host.Cluster;

/// <summary>
/// Prices a node from its labels with the instance catalog: the offering for its instance type, capacity type
/// (on-demand when unlabelled) and zone; the on-demand price, or the catalog's spot estimate.
/// </summary>
internal static class CatalogNodePricing
{
    public static Func<IReadOnlyDictionary<string, string>, double?> Create(InstanceCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return labels => Price(catalog, labels);
    }

    public static double? Price(InstanceCatalog catalog, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(labels);
        if (!labels.TryGetValue(Labels.InstanceType, out var type) || !catalog.OfferingsByType.TryGetValue(type, out var offerings))
        {
            return null;
        }

        var capacityType = labels.TryGetValue(Labels.CapacityType, out var c) ? c : Labels.CapacityTypeOnDemand;
        labels.TryGetValue(Labels.Zone, out var zone);
        double? anyZone = null;
        foreach (var offering in offerings)
        {
            if (offering.CapacityType != capacityType)
            {
                continue;
            }

            if (offering.Zone == zone)
            {
                return offering.PricePerHour;
            }

            anyZone ??= offering.PricePerHour;
        }

        // Zone unknown (or not in the catalog): the first offering of that capacity type stands in.
        return anyZone;
    }
}
