namespace Capstan.Aws.Offerings;

/// <summary>
/// The newest spot price of each (instance type, zone) as read at <see cref="ReadAt"/>; <see cref="Failed"/> when
/// it could not be read, so spot offerings fall back to the catalog's estimates.
/// </summary>
public sealed record SpotPriceSnapshot(IReadOnlyDictionary<(string InstanceType, string Zone), double> Prices, DateTimeOffset ReadAt, bool Failed = false)
{
    public bool TryGet(string instanceType, string zone, out double price) => Prices.TryGetValue((instanceType, zone), out price);
}
