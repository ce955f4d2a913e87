namespace Capstan.Aws.Pricing;

/// <summary>Where a price book came from.</summary>
public enum PriceSource
{
    /// <summary>The AWS Price List API.</summary>
    PriceList,

    /// <summary>The built-in catalog, because the Price List could not be read.</summary>
    Catalog,
}
