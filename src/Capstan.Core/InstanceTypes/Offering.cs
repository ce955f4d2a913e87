namespace Capstan.Core.InstanceTypes;

/// <summary>One way to buy an instance type: a zone and a capacity type, with its hourly price.</summary>
public sealed record Offering(string Zone, string CapacityType, double PricePerHour, bool Available = true)
{
    /// <summary>True when the price is an estimate rather than a quoted price (offline spot prices).</summary>
    public bool PriceIsEstimate { get; init; }
}
