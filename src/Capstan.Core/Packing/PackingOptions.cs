namespace Capstan.Core.Packing;

/// <summary>Knobs of the packing core.</summary>
public sealed record PackingOptions
{
    public static readonly PackingOptions Default = new();

    /// <summary>Instance-type options kept per node claim, cheapest first (AWS launches with at most 60).</summary>
    public int MaxInstanceTypes { get; init; } = 60;

    /// <summary>How big new node claims may grow; the default plans both ways and keeps the cheaper plan.</summary>
    public SizingStrategy Sizing { get; init; } = SizingStrategy.Best;

    /// <summary>Prefix of node claim names.</summary>
    public string ClaimNamePrefix { get; init; } = "";
}
