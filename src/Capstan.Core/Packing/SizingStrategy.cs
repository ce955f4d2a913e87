namespace Capstan.Core.Packing;

/// <summary>How the packing core decides how big each new node claim may grow.</summary>
public enum SizingStrategy
{
    /// <summary>Plan with both strategies below and keep the cheaper plan (fewer unschedulable pods first).</summary>
    Best,

    /// <summary>Size each claim for the pods still waiting (lowest price per packed dollar), then right-size; claims of identical rule-free pods end as the cheapest fleet.</summary>
    CostAware,

    /// <summary>Karpenter's plain first-fit-decreasing: a claim grows while any type fits, then right-sizes.</summary>
    FirstFitDecreasing,
}
