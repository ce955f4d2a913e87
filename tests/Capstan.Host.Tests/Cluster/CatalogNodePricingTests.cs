using Capstan.Aws.Catalog;
using Capstan.Core.Scheduling;
using Capstan.Host.Cluster;

namespace Capstan.Host.Tests.Cluster;

public sealed class CatalogNodePricingTests
{
    private static readonly InstanceCatalog s_catalog = InstanceCatalog.BuiltIn;

    [Fact]
    public void Price_OnDemandOrUnlabelled_IsTheCatalogPrice()
    {
        var spec = s_catalog.Specs["m5.large"];

        Assert.Equal(spec.OnDemandPricePerHour, CatalogNodePricing.Price(s_catalog, new Dictionary<string, string> { [Labels.InstanceType] = "m5.large" }));
        Assert.Equal(spec.OnDemandPricePerHour, CatalogNodePricing.Price(s_catalog, new Dictionary<string, string>
        {
            [Labels.InstanceType] = "m5.large",
            [Labels.CapacityType] = Labels.CapacityTypeOnDemand,
            [Labels.Zone] = spec.Zones[0],
        }));
    }

    [Fact]
    public void Price_Spot_IsTheZonesEstimate()
    {
        var spec = s_catalog.Specs["m5.large"];
        var zone = spec.Zones[^1];
        var expected = s_catalog.OfferingsByType["m5.large"].Single(o => o.Zone == zone && o.CapacityType == Labels.CapacityTypeSpot).PricePerHour;

        var price = CatalogNodePricing.Price(s_catalog, new Dictionary<string, string>
        {
            [Labels.InstanceType] = "m5.large",
            [Labels.CapacityType] = Labels.CapacityTypeSpot,
            [Labels.Zone] = zone,
        });

        Assert.Equal(expected, price);
        Assert.True(price < spec.OnDemandPricePerHour);
    }

    [Fact]
    public void Price_UnknownOrMissingType_IsUnknown()
    {
        Assert.Null(CatalogNodePricing.Price(s_catalog, new Dictionary<string, string> { [Labels.InstanceType] = "no-such.type" }));
        Assert.Null(CatalogNodePricing.Price(s_catalog, new Dictionary<string, string>()));
    }
}
