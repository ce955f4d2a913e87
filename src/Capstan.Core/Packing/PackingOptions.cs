namespace Capstan.Core.Packing;

/// <summary>Knobs of the packing core.</summary>
public sealed record PackingOptions
{
    public static readonly PackingOptions Default = new();

    /// <summary>Instance-type options kept per node claim, cheapest first (AWS launches with at most 60).</summary>
    public int MaxInstanceTypes { get; init; } = 60;

    /// <summary>
    /// Size each new node claim for the pods still waiting (cheapest price per packed resource) instead of
    /// letting it grow to the largest type. Off gives Karpenter's plain first-fit-decreasing.
    /// </summary>
    public bool CostAwareSizing { get; init; } = true;

    /// <summary>Prefix of node claim names.</summary>
    public string ClaimNamePrefix { get; init; } = "";
}
